// The gRPC service implementations (callback API). Internal to the server.
#ifndef VIGIL_SERVICE_SERVICES_H_
#define VIGIL_SERVICE_SERVICES_H_

#include "service/auth.h"
#include "service/metrics.h"
#include "service/server.h"
#include "service/snapshot.h"
#include "vigil/v1/admin.grpc.pb.h"
#include "vigil/v1/analysis.grpc.pb.h"
#include "vigil/v1/review.grpc.pb.h"

namespace vigil::service {

// Records a finished call: counts it and its latency in `metrics`, and logs
// it (errors at warning level, the rest at debug) with the method, the
// status code, who called (token holder), how many posts and how many
// flagged, and the time taken; never post text.
void RecordRpc(Metrics* metrics, std::string_view method,
               const grpc::Status& status, const std::string& who, int posts,
               int flagged, std::chrono::steady_clock::time_point start);

// Reloads the lexicons from `directory` (empty: the current one) and
// records the outcome and the new lexicon in `metrics`.
absl::Status ReloadSnapshot(SnapshotHolder* snapshots, Metrics* metrics,
                            const std::string& directory);

// Counts calls in flight against ServerOptions::max_in_flight.
class InFlight {
 public:
  explicit InFlight(int limit) : limit_(limit) {}
  // Takes a slot; false (and nothing taken) when all are busy.
  bool TryEnter() {
    if (count_.fetch_add(1) >= limit_) {
      count_.fetch_sub(1);
      return false;
    }
    return true;
  }
  void Leave() { count_.fetch_sub(1); }
  static grpc::Status Overloaded() {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "server overloaded: too many calls in flight; retry "
                        "with backoff");
  }

 private:
  const int limit_;
  std::atomic<int> count_{0};
};

class AnalysisServiceImpl final : public v1::AnalysisService::CallbackService {
 public:
  AnalysisServiceImpl(SnapshotHolder* snapshots, const Authorizer* authorizer,
                      FlagStore* store, Metrics* metrics,
                      const ServerOptions& options)
      : snapshots_(snapshots),
        authorizer_(authorizer),
        store_(store),
        metrics_(metrics),
        options_(options),
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

  // The body of AnalyzeBatch; the caller logs and finishes with the status.
  grpc::Status RunBatch(grpc::CallbackServerContext* context,
                        const v1::AnalyzeBatchRequest& request,
                        v1::AnalyzeBatchResponse* response, std::string* who);

  // Checks a post against the limits; OK or INVALID_ARGUMENT.
  grpc::Status Validate(const v1::Post& post) const;
  // Analyzes one post into `response` with `snapshot`'s analyzer.
  static void AnalyzeOne(const SnapshotHolder::Snapshot& snapshot,
                         const v1::Post& post, Metrics* metrics,
                         v1::AnalyzeResponse* response);

  SnapshotHolder* snapshots() const { return snapshots_; }
  // Stores the flagged posts among `posts`/`responses` unless `dry_run`;
  // UNAVAILABLE when the store fails (the caller must not acknowledge).
  grpc::Status StoreFlagged(const v1::Post* const* posts,
                            const v1::AnalyzeResponse* const* responses,
                            size_t n, bool dry_run);
  InFlight& in_flight() { return in_flight_; }
  InFlight& streams() { return streams_; }
  Metrics* metrics() const { return metrics_; }

 private:
  SnapshotHolder* snapshots_;
  const Authorizer* authorizer_;
  FlagStore* store_;
  Metrics* metrics_;
  ServerOptions options_;
  InFlight in_flight_;
  InFlight streams_;
};

class AdminServiceImpl final : public v1::AdminService::CallbackService {
 public:
  AdminServiceImpl(SnapshotHolder* snapshots, const Authorizer* authorizer,
                   Metrics* metrics)
      : snapshots_(snapshots), authorizer_(authorizer), metrics_(metrics) {}

  grpc::ServerUnaryReactor* GetLexiconInfo(
      grpc::CallbackServerContext* context,
      const v1::GetLexiconInfoRequest* request,
      v1::LexiconInfo* response) override;
  grpc::ServerUnaryReactor* ReloadLexicons(
      grpc::CallbackServerContext* context,
      const v1::ReloadLexiconsRequest* request,
      v1::ReloadLexiconsResponse* response) override;

 private:
  SnapshotHolder* snapshots_;
  const Authorizer* authorizer_;
  Metrics* metrics_;
};

class ReviewServiceImpl final : public v1::ReviewService::CallbackService {
 public:
  ReviewServiceImpl(SnapshotHolder* snapshots, const Authorizer* authorizer,
                    FlagStore* store, Metrics* metrics,
                    const ServerOptions& options)
      : snapshots_(snapshots),
        authorizer_(authorizer),
        store_(store),
        metrics_(metrics),
        in_flight_(options.max_in_flight) {}

  grpc::ServerUnaryReactor* ListQueue(grpc::CallbackServerContext* context,
                                      const v1::ListQueueRequest* request,
                                      v1::ListQueueResponse* response) override;
  grpc::ServerUnaryReactor* GetItem(grpc::CallbackServerContext* context,
                                    const v1::GetItemRequest* request,
                                    v1::ReviewItem* response) override;
  grpc::ServerUnaryReactor* Claim(grpc::CallbackServerContext* context,
                                  const v1::ClaimRequest* request,
                                  v1::ReviewItem* response) override;
  grpc::ServerUnaryReactor* Release(grpc::CallbackServerContext* context,
                                    const v1::ReleaseRequest* request,
                                    v1::ReviewItem* response) override;
  grpc::ServerUnaryReactor* Decide(grpc::CallbackServerContext* context,
                                   const v1::DecideRequest* request,
                                   v1::ReviewItem* response) override;
  grpc::ServerUnaryReactor* Reopen(grpc::CallbackServerContext* context,
                                   const v1::ReopenRequest* request,
                                   v1::ReviewItem* response) override;
  grpc::ServerUnaryReactor* Comment(grpc::CallbackServerContext* context,
                                    const v1::CommentRequest* request,
                                    v1::ReviewEvent* response) override;
  grpc::ServerUnaryReactor* GetHistory(
      grpc::CallbackServerContext* context,
      const v1::GetHistoryRequest* request,
      v1::GetHistoryResponse* response) override;

 private:
  // Checks the role, runs `body(reviewer)` (an absl::Status), logs and
  // finishes the call with the status mapped to gRPC's.
  template <typename Body>
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context,
                                  std::string_view method, Rpc rpc,
                                  Body&& body);

  SnapshotHolder* snapshots_;
  const Authorizer* authorizer_;
  FlagStore* store_;
  Metrics* metrics_;
  InFlight in_flight_;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_SERVICES_H_
