// A minimal SQL connection interface with two drivers (SQLite and
// PostgreSQL), so that the review store's logic is written once.
//
//   auto db = OpenSqlite("data/vigil.db");          // or OpenPostgres(url)
//   if (!db.ok()) ...;
//   SqlValue params[] = {SqlValue::Text("x"), SqlValue::Int(7)};
//   auto rows = (*db)->Query("SELECT a FROM t WHERE b = $1 AND c = $2",
//                            params);
//
// Statements use $1, $2, ... placeholders in both dialects (the SQLite
// driver rewrites them); values are always bound, never spliced into SQL.
//
// Thread safety: a connection is used by one thread at a time.
#ifndef VIGIL_SERVICE_STORE_SQL_H_
#define VIGIL_SERVICE_STORE_SQL_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vigil::service {

enum class SqlDialect { kSqlite, kPostgres };

// A bound parameter or a result cell.
struct SqlValue {
  struct Blob {
    std::string bytes;
  };
  std::variant<std::monostate, int64_t, double, std::string, Blob> value;

  static SqlValue Null() { return {}; }
  static SqlValue Int(int64_t v) { return {v}; }
  static SqlValue Real(double v) { return {v}; }
  static SqlValue Text(std::string v) { return {std::move(v)}; }
  static SqlValue Bytes(std::string v) { return {Blob{std::move(v)}}; }

  bool is_null() const { return std::holds_alternative<std::monostate>(value); }
  // Conversions for result cells; null reads as 0 or "". They never
  // throw: PostgreSQL returns every cell as text, and text that is not a
  // number (or an integer out of int64's range) reads as 0, as null does.
  // AsInt truncates reals toward zero; NaN and reals out of int64's range
  // read as 0. Blobs read as 0. The store only reads numbers from its own
  // numeric columns.
  int64_t AsInt() const;
  double AsReal() const;
  // Text and blob cells.
  const std::string& AsString() const;
};

using SqlRow = std::vector<SqlValue>;

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual SqlDialect dialect() const = 0;

  // Runs one statement with bound `params` and returns its rows (empty for
  // statements without results). Errors: UNAVAILABLE when the database
  // cannot be reached, ABORTED for serialization or lock conflicts,
  // INTERNAL for anything else; the message carries the database's.
  virtual absl::StatusOr<std::vector<SqlRow>> Query(
      std::string_view sql, std::span<const SqlValue> params = {}) = 0;

  // Runs statements without parameters (separated by ';').
  virtual absl::Status ExecScript(std::string_view sql) = 0;
};

// Opens (creating if needed) a SQLite database file in WAL mode with full
// synchronous commits; ":memory:" for a private in-memory database.
absl::StatusOr<std::unique_ptr<SqlConnection>> OpenSqlite(
    const std::string& path);

// Connects to PostgreSQL with a libpq connection URI
// (postgresql://user@host:port/db?...). Unless the URI says otherwise:
// connect_timeout=10, TCP keepalives (idle 30 s, interval 10 s, count 3)
// and tcp_user_timeout=30000 (ms), so a dead link fails a statement with
// UNAVAILABLE instead of hanging it.
absl::StatusOr<std::unique_ptr<SqlConnection>> OpenPostgres(
    const std::string& url);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_SQL_H_
