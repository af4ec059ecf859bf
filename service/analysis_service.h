// AnalysisService: Analyze, AnalyzeBatch and AnalyzeStream (ingest role).
// Each post is analyzed with the current lexicon snapshot; flagged posts
// are stored before the call acknowledges them, and every acknowledged
// post is counted in the statistics.
#ifndef VIGIL_SERVICE_ANALYSIS_SERVICE_H_
#define VIGIL_SERVICE_ANALYSIS_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "service/analyze_stream.h"
#include "service/auth.h"
#include "service/metrics.h"
#include "service/rpc_support.h"
#include "service/sampler.h"
#include "service/server.h"
#include "service/snapshot.h"
#include "service/stats_recorder.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {

// Thread-safe; the pointers must outlive it (and every stream it opened).
// Its StreamHost side (what the streams it opens call) is reached through
// a StreamHost reference only.
class AnalysisServiceImpl final : public v1::AnalysisService::CallbackService,
                                  public StreamHost {
 public:
  AnalysisServiceImpl(SnapshotHolder* snapshots, const Authorizer* authorizer,
                      FlagStore* store, Metrics* metrics, StatsRecorder* stats,
                      const ServerOptions& options)
      : snapshots_(snapshots),
        authorizer_(authorizer),
        store_(store),
        metrics_(metrics),
        stats_(stats),
        options_(options),
        sampler_(options.sample_rate, options.sample_key),
        in_flight_(options.max_in_flight),
        streams_(options.max_streams) {}

  grpc::ServerUnaryReactor* Analyze(grpc::CallbackServerContext* context,
                                    const v1::AnalyzeRequest* request,
                                    v1::AnalyzeResponse* response) override;
  grpc::ServerUnaryReactor* AnalyzeBatch(
      grpc::CallbackServerContext* context,
      const v1::AnalyzeBatchRequest* request,
      v1::AnalyzeBatchResponse* response) override;
  grpc::ServerBidiReactor<v1::AnalyzeRequest, v1::AnalyzeResponse>*
  AnalyzeStream(grpc::CallbackServerContext* context) override;

 private:
  // StreamHost, for the streams this service opens.
  grpc::Status AnalyzePost(
      const v1::Post& post, v1::AnalyzeResponse* response,
      std::optional<cluster::Fingerprint>* fingerprint) override;
  void StorePost(const v1::Post& post, const v1::AnalyzeResponse& response,
                 std::optional<cluster::Fingerprint> fingerprint, bool dry_run,
                 std::function<void(grpc::Status)> done) override;
  void StreamDone(const grpc::Status& status, const std::string& who, int posts,
                  int flagged,
                  std::chrono::steady_clock::time_point start) override;

  // Checks a batch's caller, size and posts; OK or the error to answer.
  grpc::Status CheckBatch(grpc::CallbackServerContext* context,
                          const v1::AnalyzeBatchRequest& request,
                          std::string* who);
  // Checks a post against the limits; OK or INVALID_ARGUMENT.
  grpc::Status Validate(const v1::Post& post) const;
  // Analyzes one post into `response` with `snapshot`'s analyzer, and, if
  // it is flagged, its near-duplicate fingerprint into `*fingerprint`.
  void AnalyzeOne(const SnapshotHolder::Snapshot& snapshot,
                  const v1::Post& post, v1::AnalyzeResponse* response,
                  std::optional<cluster::Fingerprint>* fingerprint) const;
  // Unless `dry_run`: stores the flagged posts among `posts`/`responses`
  // (and the unflagged ones the sampler picks, in the sample queue) and,
  // once they are stored, counts all of them in the statistics; then
  // calls `done` (on the store's thread, or on this one when there is
  // nothing to store) with OK, or UNAVAILABLE when the store failed (the
  // caller must not acknowledge). `posts` and `responses` must stay valid
  // until `done` runs. `fingerprints[i]` is AnalyzeOne's for post i.
  void StoreAndCount(
      std::vector<const v1::Post*> posts,
      std::vector<const v1::AnalyzeResponse*> responses,
      std::vector<std::optional<cluster::Fingerprint>> fingerprints,
      bool dry_run, std::function<void(grpc::Status)> done);

  SnapshotHolder* const snapshots_;
  const Authorizer* const authorizer_;
  FlagStore* const store_;
  Metrics* const metrics_;
  StatsRecorder* const stats_;
  const ServerOptions options_;
  const Sampler sampler_;  // the quality sample of unflagged posts
  InFlight in_flight_;
  InFlight streams_;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_ANALYSIS_SERVICE_H_
