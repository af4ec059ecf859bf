#include "service/store/schema.h"

#include <string>
#include <vector>

#include "analyzers/util/strings.h"

namespace vigil::service {
namespace {

struct Migration {
  int version;
  const char* what;
  // Shared SQL with {pk} (an auto-increment primary key) and {blob} (a byte
  // string column type) filled in per dialect.
  const char* sql;
  // Extra SQL for one dialect only (may be empty).
  const char* sqlite_only;
  const char* postgres_only;
};

const std::vector<Migration>& Migrations() {
  static const auto* const kMigrations = new std::vector<Migration>{
      {1, "items and their event log",
       R"sql(
CREATE TABLE items (
  item_id {pk},
  source TEXT NOT NULL,
  post_id TEXT NOT NULL,
  text TEXT,
  post {blob},
  verdict {blob} NOT NULL,
  lexicon_version TEXT NOT NULL,
  max_score DOUBLE PRECISION NOT NULL,
  category_mask BIGINT NOT NULL,
  status TEXT NOT NULL,
  claimed_by TEXT,
  lease_expires_at BIGINT,
  first_flagged_at BIGINT NOT NULL,
  last_flagged_at BIGINT NOT NULL,
  times_flagged INTEGER NOT NULL,
  decision TEXT,
  decided_by TEXT,
  decision_reason TEXT,
  decided_at BIGINT,
  text_erased_at BIGINT,
  UNIQUE (source, post_id)
);
CREATE INDEX items_by_score ON items (max_score DESC, item_id DESC);
CREATE INDEX items_by_time ON items (last_flagged_at DESC, item_id DESC);
CREATE INDEX items_by_status ON items (status, max_score DESC);
CREATE TABLE events (
  event_id {pk},
  item_id BIGINT NOT NULL REFERENCES items (item_id),
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  at BIGINT NOT NULL,
  status_after TEXT NOT NULL,
  decision TEXT,
  text TEXT,
  lexicon_version TEXT
);
CREATE INDEX events_by_item ON events (item_id, event_id);
)sql",
       // The event log is append-only: the database refuses edits.
       R"sql(
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
)sql",
       R"sql(
CREATE FUNCTION vigil_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
FOR EACH ROW EXECUTE FUNCTION vigil_events_append_only();
)sql"},
      {2, "per-minute statistics",
       R"sql(
CREATE TABLE stat_counts (
  minute BIGINT NOT NULL,
  source TEXT NOT NULL,
  metric TEXT NOT NULL,
  category TEXT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (minute, source, metric, category)
);
CREATE TABLE term_counts (
  minute BIGINT NOT NULL,
  source TEXT NOT NULL,
  category TEXT NOT NULL,
  term TEXT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (minute, source, category, term)
);
CREATE INDEX term_counts_by_category ON term_counts (category, minute);
CREATE INDEX items_by_decided_at ON items (decided_at);
)sql",
       "", ""},
      {3, "the verdict an analyst decided on",
       "ALTER TABLE items ADD COLUMN decided_verdict {blob};", "", ""},
      {4, "the quality sample's queue and analysts' category labels",
       R"sql(
ALTER TABLE items ADD COLUMN queue TEXT NOT NULL DEFAULT 'flagged';
ALTER TABLE items ADD COLUMN decided_categories BIGINT;
CREATE INDEX items_by_queue ON items (queue, status, first_flagged_at);
)sql",
       "", ""},
      // Every listing names its queue: without the queue first, a page in
      // time or score order sorted the whole queue (a backtest paging
      // through 100,000 items spent most of its time there).
      {5, "indexes that list one queue in time and in score order",
       R"sql(
DROP INDEX items_by_score;
CREATE INDEX items_by_queue_score ON items (queue, max_score DESC, item_id DESC);
CREATE INDEX items_by_queue_time ON items (queue, last_flagged_at DESC, item_id DESC);
)sql",
       "", ""},
      // Campaigns (review.proto, Cluster): each flagged item's MinHash
      // fingerprint, its locality-sensitive band keys, and the clusters of
      // near-duplicate items with their running counts.
      {6, "clusters of near-duplicate flagged items",
       R"sql(
CREATE TABLE clusters (
  cluster_id {pk},
  size BIGINT NOT NULL,
  category_mask BIGINT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  hour BIGINT NOT NULL,
  hour_count BIGINT NOT NULL,
  previous_hour_count BIGINT NOT NULL
);
CREATE INDEX clusters_by_size ON clusters (size DESC, last_seen DESC);
CREATE INDEX clusters_by_last_seen ON clusters (last_seen DESC);
CREATE TABLE fingerprint_bands (
  band BIGINT NOT NULL,
  item_id BIGINT NOT NULL,
  PRIMARY KEY (band, item_id)
);
ALTER TABLE items ADD COLUMN fingerprint {blob};
ALTER TABLE items ADD COLUMN cluster_id BIGINT;
CREATE INDEX items_by_cluster ON items (cluster_id, first_flagged_at);
ALTER TABLE events ADD COLUMN cluster_id BIGINT;
)sql",
       "", ""},
  };
  return *kMigrations;
}

std::string Fill(std::string sql, SqlDialect dialect) {
  const bool sqlite = dialect == SqlDialect::kSqlite;
  auto replace = [&sql](std::string_view from, std::string_view to) {
    for (size_t at = sql.find(from); at != std::string::npos;
         at = sql.find(from, at + to.size())) {
      sql.replace(at, from.size(), to);
    }
  };
  replace("{pk}", sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                         : "BIGSERIAL PRIMARY KEY");
  replace("{blob}", sqlite ? "BLOB" : "BYTEA");
  return sql;
}

// An arbitrary constant naming vigil's migration lock.
constexpr int64_t kMigrationLockKey = 0x766967696c;  // "vigil"

}  // namespace

int LatestSchemaVersion() { return Migrations().back().version; }

absl::StatusOr<int> Migrate(SqlConnection& db, int64_t now_micros) {
  return Migrate(db, now_micros, LatestSchemaVersion());
}

absl::StatusOr<int> Migrate(SqlConnection& db, int64_t now_micros,
                            int target_version) {
  if (target_version < 1 || target_version > LatestSchemaVersion()) {
    return absl::InvalidArgumentError(
        StrCat("no schema version ", target_version, " (this vigil knows 1 to ",
               LatestSchemaVersion(), ")"));
  }
  const bool sqlite = db.dialect() == SqlDialect::kSqlite;
  if (absl::Status s = db.ExecScript(sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
      !s.ok()) {
    return s;
  }
  auto fail = [&db](absl::Status status) {
    db.ExecScript("ROLLBACK").IgnoreError();
    return status;
  };
  if (!sqlite) {
    SqlValue key[] = {SqlValue::Int(kMigrationLockKey)};
    auto locked = db.Query("SELECT pg_advisory_xact_lock($1)", key);
    if (!locked.ok()) return fail(locked.status());
  }
  if (absl::Status s = db.ExecScript(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL, "
          "what TEXT NOT NULL)");
      !s.ok()) {
    return fail(s);
  }
  auto rows =
      db.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!rows.ok()) return fail(rows.status());
  const int current = static_cast<int>((*rows)[0][0].AsInt());
  if (current > LatestSchemaVersion()) {
    return fail(absl::FailedPreconditionError(StrCat(
        "store schema version ", current, " is newer than this vigil's (",
        LatestSchemaVersion(), "); upgrade vigil")));
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current || m.version > target_version) continue;
    std::string sql = Fill(m.sql, db.dialect());
    sql += sqlite ? m.sqlite_only : m.postgres_only;
    if (absl::Status s = db.ExecScript(sql); !s.ok()) {
      return fail(
          absl::Status(s.code(), StrCat("migration ", m.version, " (", m.what,
                                        "): ", std::string(s.message()))));
    }
    SqlValue params[] = {SqlValue::Int(m.version), SqlValue::Int(now_micros),
                         SqlValue::Text(m.what)};
    auto inserted = db.Query(
        "INSERT INTO schema_migrations (version, applied_at, what) "
        "VALUES ($1, $2, $3)",
        params);
    if (!inserted.ok()) return fail(inserted.status());
  }
  if (absl::Status s = db.ExecScript("COMMIT"); !s.ok()) return fail(s);
  return current;
}

}  // namespace vigil::service
