// PostgreSQL driver for SqlConnection over libpq: statements prepared once
// per connection (named by their SQL text), parameters sent as text except
// blobs (binary), results read as text and converted by column type. A
// broken connection answers UNAVAILABLE and is re-established on the next
// call, so the store recovers when the database comes back.
#include <libpq-fe.h>

#include <map>
#include <string>

#include "analyzers/util/strings.h"
#include "service/store/sql.h"

namespace vigil::service {
namespace {

// Type OIDs from pg_type.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

absl::Status PgError(PGconn* conn, const PGresult* result,
                     std::string_view what) {
  std::string message(result != nullptr ? PQresultErrorMessage(result)
                                        : PQerrorMessage(conn));
  while (!message.empty() && message.back() == '\n') message.pop_back();
  const char* state =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : "";
  const std::string sqlstate = state != nullptr ? state : "";
  message = StrCat("postgresql: ", what, ": ", message);
  if (PQstatus(conn) != CONNECTION_OK || sqlstate.rfind("08", 0) == 0 ||
      sqlstate.rfind("57P", 0) == 0 || sqlstate.rfind("53", 0) == 0) {
    return absl::UnavailableError(message);
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
    return absl::AbortedError(message);
  }
  if (sqlstate == "23505") return absl::AlreadyExistsError(message);
  return absl::InternalError(message);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

// bytea's text output "\x0a1b..." to bytes.
std::string DecodeBytea(const char* text, int length) {
  std::string out;
  if (length >= 2 && text[0] == '\\' && text[1] == 'x') {
    out.reserve((length - 2) / 2);
    for (int i = 2; i + 1 < length; i += 2) {
      out.push_back(
          static_cast<char>(HexValue(text[i]) * 16 + HexValue(text[i + 1])));
    }
  }
  return out;
}

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }

  absl::StatusOr<std::vector<SqlRow>> Query(
      std::string_view sql, std::span<const SqlValue> params) override {
    if (absl::Status s = EnsureConnected(); !s.ok()) return s;
    auto name = Prepare(sql);
    if (!name.ok()) return name.status();
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size());
    std::vector<int> lengths(params.size());
    std::vector<int> formats(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const auto& v = params[i].value;
      if (const auto* n = std::get_if<int64_t>(&v)) {
        text[i] = std::to_string(*n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        char buffer[32];
        std::snprintf(buffer, sizeof(buffer), "%.17g", *d);
        text[i] = buffer;
      } else if (const auto* t = std::get_if<std::string>(&v)) {
        // libpq sends text parameters up to the first NUL, silently.
        if (t->find('\0') != std::string::npos) {
          return absl::InvalidArgumentError(
              "postgresql: a text value contains a NUL byte");
        }
        values[i] = t->c_str();
        lengths[i] = static_cast<int>(t->size());
        continue;
      } else if (const auto* b = std::get_if<SqlValue::Blob>(&v)) {
        values[i] = b->bytes.data();
        lengths[i] = static_cast<int>(b->bytes.size());
        formats[i] = 1;
        continue;
      } else {
        values[i] = nullptr;
        continue;
      }
      values[i] = text[i].c_str();
      lengths[i] = static_cast<int>(text[i].size());
    }
    PGresult* result = PQexecPrepared(
        conn_, name->c_str(), static_cast<int>(params.size()), values.data(),
        lengths.data(), formats.data(), /*resultFormat=*/0);
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      absl::Status error = PgError(conn_, result, "query");
      PQclear(result);
      return error;
    }
    std::vector<SqlRow> rows(PQntuples(result));
    const int columns = PQnfields(result);
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
      rows[r].reserve(columns);
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result, r, c)) {
          rows[r].push_back(SqlValue::Null());
          continue;
        }
        const char* cell = PQgetvalue(result, r, c);
        const int length = PQgetlength(result, r, c);
        switch (PQftype(result, c)) {
          case kInt8Oid:
          case kInt4Oid:
          case kInt2Oid:
            rows[r].push_back(SqlValue::Int(std::stoll(cell)));
            break;
          case kBoolOid:
            rows[r].push_back(SqlValue::Int(cell[0] == 't'));
            break;
          case kFloat4Oid:
          case kFloat8Oid:
          case kNumericOid:
            rows[r].push_back(SqlValue::Real(std::stod(cell)));
            break;
          case kByteaOid:
            rows[r].push_back(SqlValue::Bytes(DecodeBytea(cell, length)));
            break;
          default:
            rows[r].push_back(SqlValue::Text(std::string(cell, length)));
        }
      }
    }
    PQclear(result);
    return rows;
  }

  absl::Status ExecScript(std::string_view sql) override {
    if (absl::Status s = EnsureConnected(); !s.ok()) return s;
    PGresult* result = PQexec(conn_, std::string(sql).c_str());
    const ExecStatusType status = PQresultStatus(result);
    absl::Status out = absl::OkStatus();
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      out = PgError(conn_, result, "exec");
    }
    PQclear(result);
    return out;
  }

 private:
  // Re-establishes a connection the server dropped; prepared statements die
  // with it.
  absl::Status EnsureConnected() {
    if (PQstatus(conn_) == CONNECTION_OK) return absl::OkStatus();
    PQreset(conn_);
    prepared_.clear();
    if (PQstatus(conn_) != CONNECTION_OK) {
      return absl::UnavailableError(
          StrCat("postgresql: connection lost: ", PQerrorMessage(conn_)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> Prepare(std::string_view sql) {
    auto it = prepared_.find(sql);
    if (it != prepared_.end()) return it->second;
    std::string name = StrCat("vigil_", prepared_.size());
    PGresult* result =
        PQprepare(conn_, name.c_str(), std::string(sql).c_str(), 0, nullptr);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      absl::Status error = PgError(conn_, result, "prepare");
      PQclear(result);
      return error;
    }
    PQclear(result);
    prepared_.emplace(std::string(sql), name);
    return name;
  }

  PGconn* conn_;
  std::map<std::string, std::string, std::less<>> prepared_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SqlConnection>> OpenPostgres(
    const std::string& url) {
  // Defaults for a sick network, before the URL so that its own settings
  // win (libpq applies the expanded dbname over earlier keywords): give up
  // connecting after 10 s, probe an idle connection after 30 s, and fail a
  // statement whose bytes go unacknowledged for 30 s (a link that drops
  // everything would otherwise hang a write transaction for the kernel's
  // 15-minute retransmission limit).
  const char* const keywords[] = {"connect_timeout",  "keepalives",
                                  "keepalives_idle",  "keepalives_interval",
                                  "keepalives_count", "tcp_user_timeout",
                                  "dbname",           nullptr};
  const char* const values[] = {"10", "1",     "30",        "10",
                                "3",  "30000", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    PQfinish(conn);
    return absl::UnavailableError(
        StrCat("postgresql: cannot connect: ", message));
  }
  std::unique_ptr<SqlConnection> connection =
      std::make_unique<PostgresConnection>(conn);
  // Quiet NOTICEs (e.g. "relation already exists, skipping").
  if (absl::Status s =
          connection->ExecScript("SET client_min_messages = warning");
      !s.ok()) {
    return s;
  }
  return connection;
}

}  // namespace vigil::service
