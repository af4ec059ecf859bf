#include "service/store/clusters.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "analyzers/util/strings.h"
#include "service/store/proto_time.h"
#include "service/store/workflow.h"

namespace vigil::service {
namespace {

// Names vigil's cluster-placement lock (pg_advisory_xact_lock's key).
constexpr int64_t kClusterLockKey = 0x766967696c01;  // "vigil" 1

constexpr int kHoursShown = 24;

// The candidates' query: per band key, the latest items sharing it.
const std::string& CandidateSql() {
  static const std::string* const sql = [] {
    std::string bands;
    for (int b = 0; b < cluster::kBands; ++b) {
      if (b > 0) bands += " UNION ";
      bands += StrCat(
          "SELECT item_id FROM (SELECT item_id FROM fingerprint_bands WHERE "
          "band = $",
          b + 1, " ORDER BY item_id DESC LIMIT ", kCandidatesPerBand, ") b", b);
    }
    return new std::string(
        StrCat("SELECT item_id, fingerprint, cluster_id, category_mask, "
               "first_flagged_at FROM items WHERE item_id IN (",
               bands, ")"));
  }();
  return *sql;
}

const std::string& InsertBandsSql() {
  static const std::string* const sql = [] {
    std::string s = "INSERT INTO fingerprint_bands (band, item_id) VALUES ";
    for (int b = 0; b < cluster::kBands; ++b) {
      s += StrCat(b == 0 ? "" : ", ", "($", b + 1, ", $", cluster::kBands + 1,
                  ")");
    }
    // Equal keys in two bands cannot happen (the band is mixed in), but a
    // retried transaction must not fail on its own rows.
    s += " ON CONFLICT DO NOTHING";
    return new std::string(s);
  }();
  return *sql;
}

// Counts $6 more items joined at `now` ($2, in hour $4; $5 is the hour
// before): a cluster's running totals.
constexpr char kJoinSql[] =
    "UPDATE clusters SET size = size + $6, last_seen = $2, category_mask = "
    "category_mask | $3, previous_hour_count = CASE WHEN hour = $4 THEN "
    "previous_hour_count WHEN hour = $5 THEN hour_count ELSE 0 END, "
    "hour_count = CASE WHEN hour = $4 THEN hour_count + $6 ELSE $6 END, "
    "hour = $4 WHERE cluster_id = $1";

}  // namespace

absl::Status LockClusterAssignment(SqlConnection& db) {
  if (db.dialect() != SqlDialect::kPostgres) return absl::OkStatus();
  SqlValue key[] = {SqlValue::Int(kClusterLockKey)};
  return db.Query("SELECT pg_advisory_xact_lock($1)", key).status();
}

absl::StatusOr<int64_t> ClusterPlacer::Place(const NewClusterItem& item) {
  const std::array<int64_t, cluster::kBands> keys =
      cluster::BandKeys(item.fingerprint);
  std::vector<SqlValue> params;
  params.reserve(cluster::kBands + 1);
  for (int64_t key : keys) params.push_back(SqlValue::Int(key));
  auto candidates = db_.Query(CandidateSql(), params);
  if (!candidates.ok()) return candidates.status();
  // The most similar candidate in a cluster, else the most similar one
  // (ties: the latest): joining a campaign's cluster beats pairing with a
  // lone copy of it, which would split the campaign in two clusters.
  const SqlRow* best = nullptr;
  double best_similarity = -1;
  int64_t best_id = 0;
  bool best_clustered = false;
  bool best_identical = false;
  for (const SqlRow& row : *candidates) {
    const int64_t id = row[0].AsInt();
    if (id == item.item_id || row[1].is_null()) continue;
    auto other = cluster::Fingerprint::Parse(row[1].AsString());
    if (!other.ok()) continue;  // not one of ours: never joined
    const double s = cluster::Similarity(item.fingerprint, *other);
    if (s < threshold_) continue;
    const bool clustered = row[2].AsInt() != 0;
    if (std::tie(clustered, s, id) >
        std::tie(best_clustered, best_similarity, best_id)) {
      best = &row;
      best_similarity = s;
      best_id = id;
      best_clustered = clustered;
      best_identical = other->minhash == item.fingerprint.minhash;
    }
  }
  int64_t cluster_id = 0;
  if (best != nullptr) {
    cluster_id = (*best)[2].AsInt();
    if (cluster_id == 0) {
      // The two start a cluster.
      const int64_t hour = HourOf(now_);
      const int64_t first_seen = std::min((*best)[4].AsInt(), now_);
      const int64_t hour_count = HourOf(first_seen) == hour ? 2 : 1;
      const int64_t previous = HourOf(first_seen) == hour - 1 ? 1 : 0;
      SqlValue cluster[] = {
          SqlValue::Int(item.category_mask | (*best)[3].AsInt()),
          SqlValue::Int(first_seen),
          SqlValue::Int(now_),
          SqlValue::Int(hour),
          SqlValue::Int(hour_count),
          SqlValue::Int(previous)};
      auto created = db_.Query(
          "INSERT INTO clusters (size, category_mask, first_seen, last_seen, "
          "hour, hour_count, previous_hour_count) VALUES (2, $1, $2, $3, $4, "
          "$5, $6) RETURNING cluster_id",
          cluster);
      if (!created.ok()) return created.status();
      cluster_id = (*created)[0][0].AsInt();
      SqlValue members[] = {SqlValue::Int(cluster_id), SqlValue::Int(best_id)};
      if (auto set = db_.Query(
              "UPDATE items SET cluster_id = $1 WHERE item_id = $2", members);
          !set.ok()) {
        return set.status();
      }
    } else {
      Joins& joins = joins_[cluster_id];
      joins.count += 1;
      joins.category_mask |= item.category_mask;
    }
    SqlValue member[] = {SqlValue::Int(cluster_id),
                         SqlValue::Int(item.item_id)};
    if (auto set = db_.Query(
            "UPDATE items SET cluster_id = $1 WHERE item_id = $2", member);
        !set.ok()) {
      return set.status();
    }
  }
  if (best_identical) return cluster_id;  // its keys are the candidate's
  params.push_back(SqlValue::Int(item.item_id));
  if (auto stored = db_.Query(InsertBandsSql(), params); !stored.ok()) {
    return stored.status();
  }
  return cluster_id;
}

absl::Status ClusterPlacer::Finish() {
  const int64_t hour = HourOf(now_);
  for (const auto& [cluster_id, joins] : joins_) {
    SqlValue join[] = {SqlValue::Int(cluster_id),
                       SqlValue::Int(now_),
                       SqlValue::Int(joins.category_mask),
                       SqlValue::Int(hour),
                       SqlValue::Int(hour - 1),
                       SqlValue::Int(joins.count)};
    if (auto joined = db_.Query(kJoinSql, join); !joined.ok()) {
      return joined.status();
    }
  }
  joins_.clear();
  return absl::OkStatus();
}

v1::Cluster ClusterFromRow(const SqlRow& row, int64_t now) {
  enum { kId, kSize, kMask, kFirst, kLast, kHour, kCount, kPrevious };
  v1::Cluster c;
  c.set_cluster_id(row[kId].AsInt());
  c.set_size(row[kSize].AsInt());
  for (std::string& name : CategoryNamesOf(row[kMask].AsInt())) {
    c.add_categories(std::move(name));
  }
  SetTime(row[kFirst].AsInt(), c.mutable_first_seen());
  SetTime(row[kLast].AsInt(), c.mutable_last_seen());
  const int64_t hour = HourOf(now);
  const int64_t stored_hour = row[kHour].AsInt();
  if (stored_hour == hour) {
    c.set_growth(row[kCount].AsInt() + row[kPrevious].AsInt());
  } else if (stored_hour == hour - 1) {
    c.set_growth(row[kCount].AsInt());
  }
  return c;
}

absl::Status FillClusterDetails(SqlConnection& db, int64_t now, int samples,
                                const std::vector<v1::Cluster*>& clusters) {
  if (clusters.empty()) return absl::OkStatus();
  std::map<int64_t, v1::Cluster*> by_id;
  std::string ids;
  for (v1::Cluster* c : clusters) {
    by_id[c->cluster_id()] = c;
    ids += StrCat(ids.empty() ? "" : ", ", c->cluster_id());
  }
  // Ids are integers the store made, not input: safe to list inline.
  SqlValue at[] = {SqlValue::Int(now)};
  auto sources = db.Query(
      StrCat("SELECT cluster_id, source, COUNT(*), SUM(CASE WHEN status = "
             "'open' AND (claimed_by IS NULL OR lease_expires_at <= $1) THEN "
             "1 ELSE 0 END) FROM items WHERE cluster_id IN (",
             ids, ") GROUP BY cluster_id, source"),
      at);
  if (!sources.ok()) return sources.status();
  std::map<int64_t, std::vector<std::pair<int64_t, std::string>>> per_source;
  for (const SqlRow& row : *sources) {
    v1::Cluster* c = by_id[row[0].AsInt()];
    if (c == nullptr) continue;
    c->set_open_count(c->open_count() + row[3].AsInt());
    per_source[c->cluster_id()].emplace_back(row[2].AsInt(), row[1].AsString());
  }
  for (auto& [id, list] : per_source) {
    std::stable_sort(
        list.begin(), list.end(),
        [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [n, source] : list) {
      v1::SourceCount* s = by_id[id]->add_sources();
      s->set_source(source);
      s->set_items(n);
    }
  }
  const int64_t hour = HourOf(now);
  const int64_t first_hour = hour - (kHoursShown - 1);
  SqlValue since[] = {SqlValue::Int(first_hour * 3'600'000'000)};
  auto hourly = db.Query(
      StrCat("SELECT cluster_id, first_flagged_at / 3600000000, COUNT(*) "
             "FROM items WHERE cluster_id IN (",
             ids, ") AND first_flagged_at >= $1 GROUP BY 1, 2"),
      since);
  if (!hourly.ok()) return hourly.status();
  for (v1::Cluster* c : clusters) {
    c->mutable_hourly()->Resize(kHoursShown, 0);
  }
  for (const SqlRow& row : *hourly) {
    v1::Cluster* c = by_id[row[0].AsInt()];
    const int64_t slot = row[1].AsInt() - first_hour;
    if (c != nullptr && slot >= 0 && slot < kHoursShown) {
      c->set_hourly(static_cast<int>(slot), row[2].AsInt());
    }
  }
  if (samples <= 0) return absl::OkStatus();
  for (v1::Cluster* c : clusters) {
    SqlValue params[] = {SqlValue::Int(c->cluster_id()),
                         SqlValue::Int(samples - 1)};
    // The first item, then the latest ones.
    auto rows = db.Query(
        "SELECT item_id, text FROM (SELECT item_id, text FROM items WHERE "
        "cluster_id = $1 ORDER BY item_id LIMIT 1) f UNION SELECT item_id, "
        "text FROM (SELECT item_id, text FROM items WHERE cluster_id = $1 "
        "ORDER BY item_id DESC LIMIT $2) l ORDER BY item_id",
        params);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) {
      v1::ClusterSample* s = c->add_samples();
      s->set_item_id(row[0].AsInt());
      s->set_text(row[1].AsString());
    }
  }
  return absl::OkStatus();
}

}  // namespace vigil::service
