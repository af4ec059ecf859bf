#include "service/stats_service.h"

#include <grpcpp/grpcpp.h>

#include "analyzers/match/category.h"
#include "service/rpc_support.h"

namespace vigil::service {

template <typename Query>
grpc::ServerUnaryReactor* StatsServiceImpl::Serve(
    grpc::CallbackServerContext* context, std::string_view method,
    Query&& query) {
  return ServeStoreCall(context, method, Rpc::kStatsRead, *authorizer_,
                        in_flight_, metrics_, [&](const std::string&) {
                          // A failed flush keeps its counts for later; the
                          // query still answers from what is stored.
                          stats_->Flush(*store_).IgnoreError();
                          return query();
                        });
}

grpc::ServerUnaryReactor* StatsServiceImpl::GetSummary(
    grpc::CallbackServerContext* context, const v1::GetSummaryRequest* request,
    v1::GetSummaryResponse* response) {
  return Serve(context, "GetSummary", [&] {
    absl::Status status =
        Into(response, [&] { return store_->GetSummary(*request); });
    if (status.ok()) {
      for (std::string_view name : match::kCategoryNames) {
        response->add_categories(std::string(name));
      }
    }
    return status;
  });
}

grpc::ServerUnaryReactor* StatsServiceImpl::GetTimeSeries(
    grpc::CallbackServerContext* context,
    const v1::GetTimeSeriesRequest* request,
    v1::GetTimeSeriesResponse* response) {
  return Serve(context, "GetTimeSeries", [&] {
    return Into(response, [&] { return store_->GetTimeSeries(*request); });
  });
}

grpc::ServerUnaryReactor* StatsServiceImpl::GetTopTerms(
    grpc::CallbackServerContext* context, const v1::GetTopTermsRequest* request,
    v1::GetTopTermsResponse* response) {
  return Serve(context, "GetTopTerms", [&] {
    return Into(response, [&] { return store_->GetTopTerms(*request); });
  });
}

grpc::ServerUnaryReactor* StatsServiceImpl::GetReviewOutcomes(
    grpc::CallbackServerContext* context,
    const v1::GetReviewOutcomesRequest* request,
    v1::GetReviewOutcomesResponse* response) {
  return Serve(context, "GetReviewOutcomes", [&] {
    return Into(response, [&] { return store_->GetReviewOutcomes(*request); });
  });
}

grpc::ServerUnaryReactor* StatsServiceImpl::GetSampleEstimates(
    grpc::CallbackServerContext* context,
    const v1::GetSampleEstimatesRequest* request,
    v1::GetSampleEstimatesResponse* response) {
  return Serve(context, "GetSampleEstimates", [&] {
    return Into(response, [&] { return store_->GetSampleEstimates(*request); });
  });
}

}  // namespace vigil::service
