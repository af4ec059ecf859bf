// SQLite driver for SqlConnection: prepared statements cached by SQL text,
// $N placeholders rewritten to SQLite's ?N, WAL journal with synchronous
// FULL (a commit is on disk before it returns) and a busy timeout so that
// several connections to one file wait for each other instead of failing.
#include <sqlite3.h>

#include <map>
#include <string>

#include "analyzers/util/strings.h"
#include "service/store/sql.h"

namespace vigil::service {
namespace {

constexpr int kBusyTimeoutMs = 10000;

absl::Status SqliteError(sqlite3* db, int code, std::string_view what) {
  std::string message =
      StrCat("sqlite: ", what, ": ", sqlite3_errstr(code),
             db != nullptr ? StrCat(" (", sqlite3_errmsg(db), ")") : "");
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::AbortedError(message);
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

// "$12" -> "?12": both name parameter 12.
std::string RewritePlaceholders(std::string_view sql) {
  std::string out(sql);
  for (char& c : out) {
    if (c == '$') c = '?';
  }
  return out;
}

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }

  absl::StatusOr<std::vector<SqlRow>> Query(
      std::string_view sql, std::span<const SqlValue> params) override {
    auto stmt = Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    sqlite3_stmt* s = *stmt;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const auto& v = params[i].value;
      int rc = SQLITE_OK;
      if (const auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(s, index, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(s, index, *d);
      } else if (const auto* t = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text(s, index, t->data(), static_cast<int>(t->size()),
                               SQLITE_TRANSIENT);
      } else if (const auto* b = std::get_if<SqlValue::Blob>(&v)) {
        rc = sqlite3_bind_blob(s, index, b->bytes.data(),
                               static_cast<int>(b->bytes.size()),
                               SQLITE_TRANSIENT);
      } else {
        rc = sqlite3_bind_null(s, index);
      }
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "bind");
    }
    std::vector<SqlRow> rows;
    while (true) {
      const int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        absl::Status error = SqliteError(db_, rc, "step");
        sqlite3_reset(s);
        return error;
      }
      SqlRow& row = rows.emplace_back();
      const int columns = sqlite3_column_count(s);
      row.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(s, c)) {
          case SQLITE_INTEGER:
            row.push_back(SqlValue::Int(sqlite3_column_int64(s, c)));
            break;
          case SQLITE_FLOAT:
            row.push_back(SqlValue::Real(sqlite3_column_double(s, c)));
            break;
          case SQLITE_TEXT:
            row.push_back(SqlValue::Text(std::string(
                reinterpret_cast<const char*>(sqlite3_column_text(s, c)),
                sqlite3_column_bytes(s, c))));
            break;
          case SQLITE_BLOB: {
            const void* data = sqlite3_column_blob(s, c);
            row.push_back(SqlValue::Bytes(
                data == nullptr ? std::string()
                                : std::string(static_cast<const char*>(data),
                                              sqlite3_column_bytes(s, c))));
            break;
          }
          default:
            row.push_back(SqlValue::Null());
        }
      }
    }
    sqlite3_reset(s);
    return rows;
  }

  absl::Status ExecScript(std::string_view sql) override {
    char* error = nullptr;
    const int rc =
        sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      absl::Status status = SqliteError(db_, rc, "exec");
      sqlite3_free(error);
      return status;
    }
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<sqlite3_stmt*> Prepare(std::string_view sql) {
    const std::string key(sql);
    auto it = statements_.find(key);
    if (it != statements_.end()) return it->second;
    const std::string rewritten = RewritePlaceholders(sql);
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v2(db_, rewritten.c_str(), -1, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
    statements_.emplace(key, stmt);
    return stmt;
  }

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SqlConnection>> OpenSqlite(
    const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status =
        absl::UnavailableError(StrCat("sqlite: cannot open ", path, ": ",
                                      db ? sqlite3_errmsg(db) : "no memory"));
    sqlite3_close_v2(db);
    return status;
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  std::unique_ptr<SqlConnection> connection =
      std::make_unique<SqliteConnection>(db);
  if (path != ":memory:") {
    auto mode = connection->Query("PRAGMA journal_mode=WAL");
    if (!mode.ok()) return mode.status();
  }
  // Statement journals in memory, not in temporary files; and a page cache
  // of 16 MiB instead of 2: inserting a flagged item writes its 16 band
  // keys at random places of the fingerprint_bands index (clusters.h), and
  // with the default cache each such write re-read its pages through the
  // kernel (store_bench, BENCHMARKS.md "Campaigns").
  if (absl::Status s = connection->ExecScript(
          "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
          "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384;");
      !s.ok()) {
    return s;
  }
  return connection;
}

}  // namespace vigil::service
