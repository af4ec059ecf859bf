// StatsService: summaries, time series, top terms and review outcomes from
// the store, after this instance's pending counts are flushed to it.
#ifndef VIGIL_SERVICE_STATS_SERVICE_H_
#define VIGIL_SERVICE_STATS_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string_view>

#include "service/auth.h"
#include "service/metrics.h"
#include "service/rpc_support.h"
#include "service/server.h"
#include "service/stats_recorder.h"
#include "vigil/v1/stats.grpc.pb.h"

namespace vigil::service {

class StatsServiceImpl final : public v1::StatsService::CallbackService {
 public:
  StatsServiceImpl(const Authorizer* authorizer, FlagStore* store,
                   Metrics* metrics, StatsRecorder* stats,
                   const ServerOptions& options)
      : authorizer_(authorizer),
        store_(store),
        metrics_(metrics),
        stats_(stats),
        in_flight_(options.max_in_flight) {}

  grpc::ServerUnaryReactor* GetSummary(
      grpc::CallbackServerContext* context,
      const v1::GetSummaryRequest* request,
      v1::GetSummaryResponse* response) override;
  grpc::ServerUnaryReactor* GetTimeSeries(
      grpc::CallbackServerContext* context,
      const v1::GetTimeSeriesRequest* request,
      v1::GetTimeSeriesResponse* response) override;
  grpc::ServerUnaryReactor* GetTopTerms(
      grpc::CallbackServerContext* context,
      const v1::GetTopTermsRequest* request,
      v1::GetTopTermsResponse* response) override;
  grpc::ServerUnaryReactor* GetReviewOutcomes(
      grpc::CallbackServerContext* context,
      const v1::GetReviewOutcomesRequest* request,
      v1::GetReviewOutcomesResponse* response) override;
  grpc::ServerUnaryReactor* GetSampleEstimates(
      grpc::CallbackServerContext* context,
      const v1::GetSampleEstimatesRequest* request,
      v1::GetSampleEstimatesResponse* response) override;

 private:
  // Runs a query after adding this instance's pending counts to the store,
  // so a single instance's statistics are up to date.
  template <typename Query>
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context,
                                  std::string_view method, Query&& query);

  const Authorizer* authorizer_;
  FlagStore* store_;
  Metrics* metrics_;
  StatsRecorder* stats_;
  InFlight in_flight_;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STATS_SERVICE_H_
