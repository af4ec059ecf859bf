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

// Integer lists travel as one text parameter, so each statement's text is
// fixed and the connections' prepared-statement caches stay bounded: a JSON
// array read with json_each on SQLite, an array literal cast to bigint[] on
// PostgreSQL. IntsSql is the set's rows (one column, `value` on SQLite).
SqlValue IntsParam(SqlDialect dialect, const std::vector<int64_t>& v) {
  std::string list;
  for (int64_t x : v) list += StrCat(list.empty() ? "" : ",", x);
  return SqlValue::Text(dialect == SqlDialect::kPostgres
                            ? StrCat("{", list, "}")
                            : StrCat("[", list, "]"));
}
std::string IntsSql(SqlDialect dialect, std::string_view param) {
  return dialect == SqlDialect::kPostgres
             ? StrCat("SELECT unnest(", param, "::bigint[])")
             : StrCat("SELECT value FROM json_each(", param, ")");
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

absl::Status ClusterPlacer::Finish() {
  if (items_.empty()) return absl::OkStatus();
  if (absl::Status s = ReadCandidates(); !s.ok()) return s;
  for (size_t i = 0; i < items_.size(); ++i) {
    auto store_bands = Place(i);
    if (!store_bands.ok()) return store_bands.status();
    if (!*store_bands) continue;
    for (int64_t key : cluster::BandKeys(items_[i].fingerprint)) {
      batch_[key].push_back(items_[i].item_id);
      bands_.emplace_back(key, items_[i].item_id);
    }
  }
  return Write();
}

absl::Status ClusterPlacer::ReadCandidates() {
  std::vector<int64_t> keys;
  for (const NewClusterItem& item : items_) {
    for (int64_t key : cluster::BandKeys(item.fingerprint)) {
      keys.push_back(key);
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  const SqlDialect dialect = db_.dialect();
  if (dialect == SqlDialect::kPostgres) {
    SqlValue list[] = {IntsParam(dialect, keys)};
    auto rows = db_.Query(
        StrCat("SELECT k.band, f.item_id FROM unnest($1::bigint[]) AS k(band) "
               "CROSS JOIN LATERAL (SELECT item_id FROM fingerprint_bands "
               "WHERE band = k.band ORDER BY item_id DESC LIMIT ",
               kCandidatesPerBand, ") f"),
        list);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) {
      stored_[row[0].AsInt()].push_back(row[1].AsInt());
    }
  } else {
    // In-process: a query per key costs microseconds.
    const std::string sql = StrCat(
        "SELECT item_id FROM fingerprint_bands WHERE band = $1 ORDER "
        "BY item_id DESC LIMIT ",
        kCandidatesPerBand);
    for (int64_t key : keys) {
      SqlValue band[] = {SqlValue::Int(key)};
      auto rows = db_.Query(sql, band);
      if (!rows.ok()) return rows.status();
      for (const SqlRow& row : *rows) stored_[key].push_back(row[0].AsInt());
    }
  }
  std::vector<int64_t> ids;
  for (const auto& [key, list] : stored_) {
    ids.insert(ids.end(), list.begin(), list.end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (!ids.empty()) {
    SqlValue list[] = {IntsParam(dialect, ids)};
    auto rows = db_.Query(
        StrCat("SELECT item_id, fingerprint, cluster_id, category_mask, "
               "first_flagged_at FROM items WHERE item_id IN (",
               IntsSql(dialect, "$1"), ")"),
        list);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) {
      Known& k = known_[row[0].AsInt()];
      if (!row[1].is_null()) {
        auto parsed = cluster::Fingerprint::Parse(row[1].AsString());
        if (parsed.ok()) k.fingerprint = *std::move(parsed);  // else: not ours
      }
      k.cluster_id = row[2].AsInt();
      k.category_mask = row[3].AsInt();
      k.first_seen = row[4].AsInt();
    }
  }
  for (const NewClusterItem& item : items_) {
    Known& k = known_[item.item_id];
    k.fingerprint = item.fingerprint;
    k.category_mask = item.category_mask;
    k.first_seen = now_;
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ClusterPlacer::Place(size_t i) {
  const NewClusterItem& item = items_[i];
  // Per band key, the latest kCandidatesPerBand items sharing it: those of
  // the batch placed before this one (newer), then the stored ones.
  std::vector<int64_t> candidates;
  for (int64_t key : cluster::BandKeys(item.fingerprint)) {
    std::vector<int64_t> latest;
    if (auto it = batch_.find(key); it != batch_.end()) {
      latest.assign(it->second.begin(), it->second.end());
    }
    if (auto it = stored_.find(key); it != stored_.end()) {
      latest.insert(latest.end(), it->second.begin(), it->second.end());
    }
    std::sort(latest.rbegin(), latest.rend());
    if (latest.size() > static_cast<size_t>(kCandidatesPerBand)) {
      latest.resize(kCandidatesPerBand);
    }
    candidates.insert(candidates.end(), latest.begin(), latest.end());
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()),
                   candidates.end());
  // The most similar candidate in a cluster, else the most similar one
  // (ties: the latest): joining a campaign's cluster beats pairing with a
  // lone copy of it, which would split the campaign in two clusters.
  Known* best = nullptr;
  double best_similarity = -1;
  int64_t best_id = 0;
  bool best_clustered = false;
  for (int64_t id : candidates) {
    if (id == item.item_id) continue;
    auto it = known_.find(id);
    if (it == known_.end() || !it->second.fingerprint.has_value()) continue;
    const double s =
        cluster::Similarity(item.fingerprint, *it->second.fingerprint);
    if (s < threshold_) continue;
    const bool clustered = it->second.cluster_id != 0;
    if (std::tie(clustered, s, id) >
        std::tie(best_clustered, best_similarity, best_id)) {
      best = &it->second;
      best_similarity = s;
      best_id = id;
      best_clustered = clustered;
    }
  }
  if (best == nullptr) return true;
  int64_t cluster_id = best->cluster_id;
  if (cluster_id == 0) {
    // The two start a cluster.
    const int64_t hour = HourOf(now_);
    const int64_t first_seen = std::min(best->first_seen, now_);
    const int64_t hour_count = HourOf(first_seen) == hour ? 2 : 1;
    const int64_t previous = HourOf(first_seen) == hour - 1 ? 1 : 0;
    SqlValue cluster[] = {
        SqlValue::Int(item.category_mask | best->category_mask),
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
    best->cluster_id = cluster_id;
    members_[cluster_id].push_back(best_id);
  } else {
    Joins& joins = joins_[cluster_id];
    joins.count += 1;
    joins.category_mask |= item.category_mask;
  }
  known_[item.item_id].cluster_id = cluster_id;
  members_[cluster_id].push_back(item.item_id);
  // An identical candidate's keys find what this item's would.
  return best->fingerprint->minhash != item.fingerprint.minhash;
}

absl::Status ClusterPlacer::Write() {
  const SqlDialect dialect = db_.dialect();
  const std::string set_sql =
      StrCat("UPDATE items SET cluster_id = $1 WHERE item_id IN (",
             IntsSql(dialect, "$2"), ")");
  for (const auto& [cluster_id, ids] : members_) {
    SqlValue params[] = {SqlValue::Int(cluster_id), IntsParam(dialect, ids)};
    if (auto set = db_.Query(set_sql, params); !set.ok()) return set.status();
  }
  // Equal keys in two bands cannot happen (the band is mixed in), but a
  // retried transaction must not fail on its own rows.
  if (bands_.empty()) {
  } else if (dialect == SqlDialect::kPostgres) {
    std::vector<int64_t> keys, ids;
    for (const auto& [key, id] : bands_) {
      keys.push_back(key);
      ids.push_back(id);
    }
    SqlValue params[] = {IntsParam(dialect, keys), IntsParam(dialect, ids)};
    auto stored = db_.Query(
        "INSERT INTO fingerprint_bands (band, item_id) SELECT * FROM "
        "unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING",
        params);
    if (!stored.ok()) return stored.status();
  } else {
    // In-process: a prepared one-row insert per row is the cheap way.
    for (const auto& [key, id] : bands_) {
      SqlValue row[] = {SqlValue::Int(key), SqlValue::Int(id)};
      auto stored = db_.Query(
          "INSERT INTO fingerprint_bands (band, item_id) VALUES ($1, $2) ON "
          "CONFLICT DO NOTHING",
          row);
      if (!stored.ok()) return stored.status();
    }
  }
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
  std::vector<int64_t> ids;
  for (v1::Cluster* c : clusters) {
    by_id[c->cluster_id()] = c;
    ids.push_back(c->cluster_id());
  }
  const SqlDialect dialect = db.dialect();
  SqlValue at[] = {SqlValue::Int(now), IntsParam(dialect, ids)};
  auto sources = db.Query(
      StrCat("SELECT cluster_id, source, COUNT(*), SUM(CASE WHEN status = "
             "'open' AND (claimed_by IS NULL OR lease_expires_at <= $1) THEN "
             "1 ELSE 0 END) FROM items WHERE cluster_id IN (",
             IntsSql(dialect, "$2"), ") GROUP BY cluster_id, source"),
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
  SqlValue since[] = {SqlValue::Int(first_hour * 3'600'000'000),
                      IntsParam(dialect, ids)};
  auto hourly = db.Query(
      StrCat("SELECT cluster_id, first_flagged_at / 3600000000, COUNT(*) "
             "FROM items WHERE cluster_id IN (",
             IntsSql(dialect, "$2"),
             ") AND first_flagged_at >= $1 GROUP BY 1, 2"),
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
