// SqlFlagStore: the FlagStore over a SQL database (SQLite or PostgreSQL;
// see sql.h), with the workflow rules of workflow.h.
//
//   SqlFlagStore::Options options;
//   options.connect = [] { return OpenSqlite("data/vigil.db"); };
//   auto store = SqlFlagStore::Open(std::move(options));
//
// Writes of flagged posts are group-committed: RecordFlagged(Async) calls
// queue up, and a writer thread commits everything queued in a single
// transaction, then tells each caller the outcome, so throughput grows with
// concurrency while each call still completes only once its posts are
// durable. Callers of the async form do not block at all (the gRPC service
// answers from the writer's callback). Claims lock the item's row (SELECT ...
// FOR UPDATE [SKIP LOCKED] on PostgreSQL, an immediate transaction on
// SQLite), so they are exclusive across processes.
//
// Thread safety: all methods may be called from any thread.
#ifndef VIGIL_SERVICE_STORE_SQL_FLAG_STORE_H_
#define VIGIL_SERVICE_STORE_SQL_FLAG_STORE_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "service/store/clusters.h"
#include "service/store/flag_store.h"
#include "service/store/sql.h"
#include "service/store/workflow.h"

namespace vigil::service {

class SqlFlagStore : public FlagStore {
 public:
  using Connect =
      std::function<absl::StatusOr<std::unique_ptr<SqlConnection>>()>;
  // Microseconds since the Unix epoch.
  using Clock = std::function<int64_t()>;

  struct Options {
    // Opens one more connection; called lazily up to pool_size times.
    Connect connect;
    int pool_size = 4;
    // Defaults to the system clock; tests move time by hand.
    Clock now;
    // A new item joins a cluster when its fingerprint's estimated
    // similarity to a stored item's reaches this (see clusters.h for how
    // it was measured).
    double cluster_threshold = kDefaultClusterThreshold;
  };

  // Connects once and migrates the schema (see schema.h).
  static absl::StatusOr<std::unique_ptr<SqlFlagStore>> Open(Options options);
  ~SqlFlagStore() override;

  absl::Status RecordFlagged(std::span<const FlaggedPost> posts) override;
  void RecordFlaggedAsync(std::vector<FlaggedPost> posts, Done done) override;
  absl::StatusOr<v1::ListQueueResponse> ListQueue(
      const v1::ListQueueRequest& request) override;
  absl::StatusOr<v1::ReviewItem> GetItem(int64_t item_id) override;
  absl::StatusOr<v1::ReviewItem> Claim(const v1::ClaimRequest& request,
                                       const std::string& reviewer) override;
  absl::StatusOr<v1::ReviewItem> Release(int64_t item_id,
                                         const std::string& reviewer) override;
  absl::StatusOr<v1::ReviewItem> Decide(
      const v1::DecideRequest& request, const std::string& reviewer,
      const std::string& lexicon_version) override;
  absl::StatusOr<v1::ReviewItem> Reopen(const v1::ReopenRequest& request,
                                        const std::string& reviewer) override;
  absl::StatusOr<v1::ReviewEvent> Comment(const v1::CommentRequest& request,
                                          const std::string& reviewer) override;
  absl::StatusOr<v1::GetHistoryResponse> GetHistory(int64_t item_id) override;
  absl::StatusOr<int64_t> EraseTextBefore(int64_t cutoff_micros) override;
  absl::Status AddStats(const StatsDelta& delta) override;
  absl::StatusOr<v1::GetSummaryResponse> GetSummary(
      const v1::GetSummaryRequest& request) override;
  absl::StatusOr<v1::GetTimeSeriesResponse> GetTimeSeries(
      const v1::GetTimeSeriesRequest& request) override;
  absl::StatusOr<v1::GetTopTermsResponse> GetTopTerms(
      const v1::GetTopTermsRequest& request) override;
  absl::StatusOr<v1::GetReviewOutcomesResponse> GetReviewOutcomes(
      const v1::GetReviewOutcomesRequest& request) override;
  absl::StatusOr<v1::GetSampleEstimatesResponse> GetSampleEstimates(
      const v1::GetSampleEstimatesRequest& request) override;
  absl::StatusOr<std::map<std::string, int64_t>> CountByStatus() override;
  absl::StatusOr<v1::ListClustersResponse> ListClusters(
      const v1::ListClustersRequest& request) override;
  absl::StatusOr<v1::GetClusterResponse> GetCluster(
      const v1::GetClusterRequest& request) override;
  absl::StatusOr<v1::DecideClusterResponse> DecideCluster(
      const v1::DecideClusterRequest& request, const std::string& reviewer,
      const std::string& lexicon_version) override;
  absl::StatusOr<ClusterCounts> CountClusters() override;

 protected:
  explicit SqlFlagStore(Options options);

 private:
  class Pool;
  struct Writer;
  struct ItemTransition;  // sql_transitions.cc

  int64_t Now() const { return now_(); }
  // Runs `body` in a write transaction, retrying a few times when the
  // database aborts it for a conflict.
  absl::Status Transact(
      const std::function<absl::Status(SqlConnection&)>& body);
  // Runs a read outside any transaction.
  absl::Status Read(const std::function<absl::Status(SqlConnection&)>& body);
  absl::Status WriteGroup(const std::vector<Writer>& group);
  // Claim, Release, Decide and Reopen: in one write transaction, locks the
  // item, checks the workflow rule against its state, updates it, appends
  // the event and returns the item as it is then.
  absl::StatusOr<v1::ReviewItem> Transition(const ItemTransition& transition);
  void WriterLoop();

  Options options_;
  Clock now_;
  SqlDialect dialect_ = SqlDialect::kSqlite;
  std::unique_ptr<Pool> pool_;

  std::mutex writers_mu_;
  std::condition_variable writers_cv_;
  std::deque<Writer> writers_;  // guarded by writers_mu_
  bool stopping_ = false;       // guarded by writers_mu_
  std::thread writer_;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_SQL_FLAG_STORE_H_
