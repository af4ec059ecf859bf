// FlagStore: the durable review queue of flagged posts.
//
// The analysis service records flagged posts (RecordFlagged); analysts work
// through them (ListQueue, Claim, Decide, ...). See proto/vigil/v1/
// review.proto for the workflow and its statuses. OpenFlagStore() picks the
// backend from a URL:
//
//   auto store = OpenFlagStore("sqlite:data/vigil.db");   // embedded
//   auto store = OpenFlagStore("postgresql://vigil@db/vigil");
//   if (!store.ok()) ...;
//   (*store)->RecordFlagged(posts);   // durable when it returns OK
//
// Errors are statuses: NOT_FOUND (no such item), FAILED_PRECONDITION (the
// item's status does not allow the step), INVALID_ARGUMENT (bad filter or
// page token), UNAVAILABLE (the database cannot be reached or is full).
//
// Thread safety: implementations are safe to call from any thread, and
// several processes may share one PostgreSQL store (claims stay exclusive).
#ifndef VIGIL_SERVICE_STORE_FLAG_STORE_H_
#define VIGIL_SERVICE_STORE_FLAG_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "analyzers/cluster/fingerprint.h"
#include "vigil/v1/analysis.pb.h"
#include "vigil/v1/review.pb.h"
#include "vigil/v1/stats.pb.h"

namespace vigil::service {

// A post the analyzers flagged, with everything needed to review it; or,
// with `sampled`, an unflagged post chosen for the quality sample.
struct FlaggedPost {
  v1::Post post;
  v1::Verdict verdict;  // scores, hits with spans, lexicon version
  // Store it in the sample queue (v1::QUEUE_SAMPLE) if it is not stored
  // yet; an item already stored (flagged or sampled) is left as it is.
  bool sampled = false;
  // The post's near-duplicate fingerprint (analyzers/cluster/
  // fingerprint.h): a new flagged item with one joins a cluster of items
  // like it (review.proto, Cluster). None: the item joins no cluster.
  std::optional<cluster::Fingerprint> fingerprint;
};

// How many clusters there are, how large the largest is, and how many
// items they hold (metrics and statistics).
struct ClusterCounts {
  int64_t clusters = 0;
  int64_t largest = 0;
  int64_t clustered_items = 0;
};

// Counts to add to the store's per-minute statistics (see stats.proto).
struct StatsDelta {
  // (minute, source, metric, category) -> count. `minute` is the Unix time
  // in seconds of the minute's start; metric is kMetricAnalyzed or
  // kMetricFlagged (category empty) or kMetricFlag (per category).
  std::map<std::tuple<int64_t, std::string, std::string, std::string>, int64_t>
      counts;
  // (minute, source, category, term) -> hits in flagged posts.
  std::map<std::tuple<int64_t, std::string, std::string, std::string>, int64_t>
      terms;

  static constexpr char kMetricAnalyzed[] = "analyzed";
  static constexpr char kMetricFlagged[] = "flagged";
  static constexpr char kMetricFlag[] = "flag";

  bool empty() const { return counts.empty() && terms.empty(); }
  // Adds `other`'s counts to these.
  void Merge(const StatsDelta& other);
};

class FlagStore {
 public:
  virtual ~FlagStore() = default;

  // Stores `posts` (one request's flagged posts) all or nothing, durably
  // before returning OK. A post whose (source, id) is already stored is the
  // same item flagged again (its text and verdict are replaced, its status
  // kept), not a new one. An error means the caller must not acknowledge
  // the posts; nothing was stored, except in the rare case of a connection
  // lost during COMMIT, when the outcome is unknown (a retry then counts
  // the item as flagged again, never as a second item).
  virtual absl::Status RecordFlagged(std::span<const FlaggedPost> posts) = 0;

  // RecordFlagged without blocking the caller: `done` runs (on another
  // thread, or on this one before returning) once the posts are durable or
  // have failed. The default calls RecordFlagged.
  using Done = std::function<void(absl::Status)>;
  virtual void RecordFlaggedAsync(std::vector<FlaggedPost> posts, Done done) {
    done(RecordFlagged(posts));
  }

  // One page of items matching the request's filter, in its order.
  virtual absl::StatusOr<v1::ListQueueResponse> ListQueue(
      const v1::ListQueueRequest& request) = 0;

  virtual absl::StatusOr<v1::ReviewItem> GetItem(int64_t item_id) = 0;

  // Claims request.item_id (or the next open item matching the filter) for
  // `reviewer` under a lease. Exclusive: no two reviewers hold one item.
  virtual absl::StatusOr<v1::ReviewItem> Claim(const v1::ClaimRequest& request,
                                               const std::string& reviewer) = 0;

  // Gives back a claim `reviewer` holds.
  virtual absl::StatusOr<v1::ReviewItem> Release(
      int64_t item_id, const std::string& reviewer) = 0;

  // Decides an item `reviewer` holds; `lexicon_version` is the lexicon
  // serving when the decision was made.
  virtual absl::StatusOr<v1::ReviewItem> Decide(
      const v1::DecideRequest& request, const std::string& reviewer,
      const std::string& lexicon_version) = 0;

  // A decided or escalated item back to open.
  virtual absl::StatusOr<v1::ReviewItem> Reopen(
      const v1::ReopenRequest& request, const std::string& reviewer) = 0;

  virtual absl::StatusOr<v1::ReviewEvent> Comment(
      const v1::CommentRequest& request, const std::string& reviewer) = 0;

  // The item's events, oldest first.
  virtual absl::StatusOr<v1::GetHistoryResponse> GetHistory(
      int64_t item_id) = 0;

  // Retention: erases the text and metadata of posts last flagged before
  // `cutoff_micros` (microseconds since the Unix epoch); verdicts and
  // events stay. Returns how many items were erased.
  virtual absl::StatusOr<int64_t> EraseTextBefore(int64_t cutoff_micros) = 0;

  // Statistics (stats.proto). AddStats adds counts (several instances may
  // add to the same minutes; the sums add up).
  virtual absl::Status AddStats(const StatsDelta& delta) = 0;
  virtual absl::StatusOr<v1::GetSummaryResponse> GetSummary(
      const v1::GetSummaryRequest& request) = 0;
  virtual absl::StatusOr<v1::GetTimeSeriesResponse> GetTimeSeries(
      const v1::GetTimeSeriesRequest& request) = 0;
  virtual absl::StatusOr<v1::GetTopTermsResponse> GetTopTerms(
      const v1::GetTopTermsRequest& request) = 0;
  virtual absl::StatusOr<v1::GetReviewOutcomesResponse> GetReviewOutcomes(
      const v1::GetReviewOutcomesRequest& request) = 0;
  virtual absl::StatusOr<v1::GetSampleEstimatesResponse> GetSampleEstimates(
      const v1::GetSampleEstimatesRequest& request) = 0;
  // Items of the flagged queue per status now ("open", "claimed", ...; every
  // status present).
  virtual absl::StatusOr<std::map<std::string, int64_t>> CountByStatus() = 0;

  // Campaigns (review.proto, Cluster). The samples' texts come without
  // their varying spans: the service, which has the normalizer, marks
  // them. NOT_FOUND for an unknown cluster.
  virtual absl::StatusOr<v1::ListClustersResponse> ListClusters(
      const v1::ListClustersRequest& request) = 0;
  virtual absl::StatusOr<v1::GetClusterResponse> GetCluster(
      const v1::GetClusterRequest& request) = 0;
  // Decides every open item of the cluster (and every item `reviewer`
  // holds) in one transaction, as Decide would one by one; items under
  // someone else's live claim are skipped and reported. All or nothing.
  virtual absl::StatusOr<v1::DecideClusterResponse> DecideCluster(
      const v1::DecideClusterRequest& request, const std::string& reviewer,
      const std::string& lexicon_version) = 0;
  virtual absl::StatusOr<ClusterCounts> CountClusters() = 0;
};

// Opens a store by URL, creating or migrating its schema:
//   sqlite:PATH            SQLite file (its directory is created)
//   sqlite::memory:        private in-memory SQLite (tests)
//   postgresql://... or postgres://...   PostgreSQL (libpq URI)
// INVALID_ARGUMENT for other URLs; UNAVAILABLE when it cannot be opened.
absl::StatusOr<std::unique_ptr<FlagStore>> OpenFlagStore(
    const std::string& url);

// The URL with any password replaced by "***", for logs.
std::string RedactStoreUrl(const std::string& url);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_FLAG_STORE_H_
