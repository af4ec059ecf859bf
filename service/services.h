// The gRPC service implementations (callback API). Internal to the server.
#ifndef VIGIL_SERVICE_SERVICES_H_
#define VIGIL_SERVICE_SERVICES_H_

#include "service/auth.h"
#include "service/metrics.h"
#include "service/server.h"
#include "service/snapshot.h"
#include "service/stats_recorder.h"
#include "vigil/v1/admin.grpc.pb.h"
#include "vigil/v1/analysis.grpc.pb.h"
#include "vigil/v1/review.grpc.pb.h"
#include "vigil/v1/stats.grpc.pb.h"

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
                      FlagStore* store, Metrics* metrics, StatsRecorder* stats,
                      const ServerOptions& options)
      : snapshots_(snapshots),
        authorizer_(authorizer),
        store_(store),
        metrics_(metrics),
        stats_(stats),
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

  // Checks a batch's caller, size and posts; OK or the error to answer.
  grpc::Status CheckBatch(grpc::CallbackServerContext* context,
                          const v1::AnalyzeBatchRequest& request,
                          std::string* who);

  // Checks a post against the limits; OK or INVALID_ARGUMENT.
  grpc::Status Validate(const v1::Post& post) const;
  // Analyzes one post into `response` with `snapshot`'s analyzer.
  static void AnalyzeOne(const SnapshotHolder::Snapshot& snapshot,
                         const v1::Post& post, Metrics* metrics,
                         v1::AnalyzeResponse* response);

  SnapshotHolder* snapshots() const { return snapshots_; }
  // Unless `dry_run`: stores the flagged posts among `posts`/`responses`
  // and, once they are stored, counts all of them in the statistics; then
  // calls `done` (on the store's thread, or on this one when there is
  // nothing to store) with OK, or UNAVAILABLE when the store failed (the
  // caller must not acknowledge). `posts` and `responses` must stay valid
  // until `done` runs.
  void StoreAndCount(std::vector<const v1::Post*> posts,
                     std::vector<const v1::AnalyzeResponse*> responses,
                     bool dry_run, std::function<void(grpc::Status)> done);
  InFlight& in_flight() { return in_flight_; }
  InFlight& streams() { return streams_; }
  Metrics* metrics() const { return metrics_; }

 private:
  SnapshotHolder* snapshots_;
  const Authorizer* authorizer_;
  FlagStore* store_;
  Metrics* metrics_;
  StatsRecorder* stats_;
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

// The bytes of a post: its text, or its raw_text when the text is not
// valid UTF-8 (see analysis.proto).
inline const std::string& PostBytes(const v1::Post& post) {
  return post.raw_text().empty() ? post.text() : post.raw_text();
}

// absl and gRPC share the canonical status codes.
inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

// Runs `call` (returning absl::StatusOr<T>) and moves its value to `*out`.
template <typename T, typename Call>
absl::Status Into(T* out, Call&& call) {
  auto result = call();
  if (!result.ok()) return result.status();
  *out = *std::move(result);
  return absl::OkStatus();
}

// Without a tokens file (loopback development) every caller is this one
// reviewer.
inline constexpr char kLocalReviewer[] = "local";

// Checks the caller's role for `rpc` and a slot in `in_flight`, runs
// `body(reviewer)` (returning an absl::Status; `reviewer` is the token
// holder's name, kLocalReviewer without tokens), records the store latency
// and the call, and finishes it with the status mapped to gRPC's.
template <typename Body>
grpc::ServerUnaryReactor* ServeStoreCall(grpc::CallbackServerContext* context,
                                         std::string_view method, Rpc rpc,
                                         const Authorizer& authorizer,
                                         InFlight& in_flight, Metrics* metrics,
                                         Body&& body) {
  const auto start = std::chrono::steady_clock::now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::string who;
  grpc::Status status = authorizer.Check(*context, rpc, &who);
  if (status.ok() && !in_flight.TryEnter()) status = InFlight::Overloaded();
  if (status.ok()) {
    const absl::Status result =
        body(who.empty() ? std::string(kLocalReviewer) : who);
    // Caller errors (a bad filter, a taken claim) are not store failures.
    const bool store_ok =
        result.ok() || (result.code() != absl::StatusCode::kUnavailable &&
                        result.code() != absl::StatusCode::kInternal &&
                        result.code() != absl::StatusCode::kAborted);
    metrics->ObserveStore(
        method,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count(),
        store_ok);
    status = ToGrpcStatus(result);
    in_flight.Leave();
  }
  RecordRpc(metrics, method, status, who, 0, 0, start);
  reactor->Finish(status);
  return reactor;
}

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
  SnapshotHolder* snapshots_;
  const Authorizer* authorizer_;
  FlagStore* store_;
  Metrics* metrics_;
  InFlight in_flight_;
};

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

#endif  // VIGIL_SERVICE_SERVICES_H_
