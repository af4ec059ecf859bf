// Clusters of near-duplicate flagged items in the SQL store: how a new item
// is placed (on the write path, inside the transaction that stores it) and
// how clusters are read back (review.proto, Cluster).
//
// Placing an item. Its fingerprint's band keys (analyzers/cluster/
// fingerprint.h) look up, per band, the latest items that share the key
// (fingerprint_bands, at most kCandidatesPerBand each, so a campaign of a
// million items costs no more than one of ten). Of the candidates whose
// estimated similarity reaches the threshold, the most similar one already
// in a cluster decides, else the most similar one: the item joins that
// candidate's cluster, or the two start one (preferring a cluster keeps a
// campaign from splitting when its copy pairs with a lone, earlier copy
// that the cluster's first members did not reach). Then the item's
// own band keys are stored, unless the candidate's fingerprint is the
// same (ClusterPlacer). On PostgreSQL the transaction first takes an
// advisory lock (LockClusterAssignment), so instances sharing the store
// place items one transaction at a time and each sees the items the other
// committed: a campaign whose first posts reach two instances at once still
// makes one cluster. SQLite runs one write transaction at a time anyway.
//
// Thread safety: functions over a connection, which one thread uses at a
// time (sql.h).
#ifndef VIGIL_SERVICE_STORE_CLUSTERS_H_
#define VIGIL_SERVICE_STORE_CLUSTERS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "analyzers/cluster/fingerprint.h"
#include "service/store/sql.h"
#include "vigil/v1/review.pb.h"

namespace vigil::service {

// The estimated similarity at which a new item joins a stored one's
// cluster: the threshold with the best F0.5 (precision weighs twice what
// recall does) on the tuning half of `vigil campaigns eval` (generated
// campaigns from the synthetic posts, mixed with ViHOS toxic comments); the
// held-out half's figures at it are in BENCHMARKS.md ("Campaigns").
inline constexpr double kDefaultClusterThreshold = 0.40;
// Items looked at per band key: the latest ones.
inline constexpr int kCandidatesPerBand = 8;

// A new flagged item to place.
struct NewClusterItem {
  int64_t item_id = 0;
  cluster::Fingerprint fingerprint;
  int64_t category_mask = 0;
};

// On PostgreSQL, waits for the transaction-scoped lock that serializes
// cluster placement across instances; nothing on SQLite. Call it first in
// the transaction, before any row is written, so no lock waits on another.
absl::Status LockClusterAssignment(SqlConnection& db);

// Places a transaction's new flagged items in clusters, in a few
// statements per batch rather than several per item: Add queues the items,
// Finish reads every candidate the batch's band keys name at once, places
// the items one after another in memory (each sees the candidates stored
// before the batch and the batch's items placed before it, exactly as if
// each had been stored on its own), then writes cluster memberships, band
// keys and cluster counts in bulk. A campaign's thousand copies in one
// batch update its cluster row once, not a thousand times (PostgreSQL
// makes a row version per update, and the next update in the transaction
// walks past them all). An item whose fingerprint equals its chosen
// candidate's stores no band keys: the candidate's keys find the same
// items, so exact copies (the bulk of a campaign) add no band rows.
//
// Thread safety: one transaction's object, used by its thread only.
class ClusterPlacer {
 public:
  // `db` is in a write transaction; items are placed at `now`.
  ClusterPlacer(SqlConnection& db, double threshold, int64_t now)
      : db_(db), threshold_(threshold), now_(now) {}

  // Queues `item` (already inserted, in this transaction) for placement.
  void Add(NewClusterItem item) { items_.push_back(std::move(item)); }

  // Places the queued items in the order added and stores their clusters,
  // band keys and the clusters' counts. Call it once, after the last Add
  // and before the transaction commits.
  absl::Status Finish();

 private:
  // What placement needs to know of an item, stored or in the batch.
  struct Known {
    std::optional<cluster::Fingerprint> fingerprint;  // none: never joined
    int64_t cluster_id = 0;
    int64_t category_mask = 0;
    int64_t first_seen = 0;
  };
  struct Joins {
    int64_t count = 0;
    int64_t category_mask = 0;
  };
  // Fills stored_ (the latest items per band key, from the store) and
  // known_ (those items' fingerprints and clusters).
  absl::Status ReadCandidates();
  // Places items_[i] in memory; a new cluster is inserted at once (its id
  // is needed). Returns whether its band keys are to be stored.
  absl::StatusOr<bool> Place(size_t i);
  absl::Status Write();

  SqlConnection& db_;
  const double threshold_;
  const int64_t now_;
  std::vector<NewClusterItem> items_;
  std::map<int64_t, std::vector<int64_t>> stored_;   // band key -> item ids
  std::map<int64_t, std::vector<int64_t>> batch_;    // band key -> item ids
  std::map<int64_t, Known> known_;                   // by item id
  std::map<int64_t, std::vector<int64_t>> members_;  // cluster -> new members
  std::vector<std::pair<int64_t, int64_t>> bands_;   // (band key, item id)
  std::map<int64_t, Joins> joins_;                   // by cluster id
};

// Fills in each cluster's open count, sources, hourly counts (the 24 hours
// up to `now`) and up to `samples` sample texts (the first item, then the
// latest), from its items. `clusters` must have cluster_id set.
absl::Status FillClusterDetails(SqlConnection& db, int64_t now, int samples,
                                const std::vector<v1::Cluster*>& clusters);

// The columns ClusterFromRow reads, for SELECT lists over `clusters`.
inline constexpr char kClusterColumns[] =
    "cluster_id, size, category_mask, first_seen, last_seen, hour, "
    "hour_count, previous_hour_count";
// A row of kClusterColumns as a Cluster at `now`: id, size, categories,
// first and last seen, growth. Details come from FillClusterDetails.
v1::Cluster ClusterFromRow(const SqlRow& row, int64_t now);

// The hour (since the epoch) holding `micros`.
inline int64_t HourOf(int64_t micros) { return micros / 3'600'000'000; }

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_CLUSTERS_H_
