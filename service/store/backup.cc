#include "service/store/backup.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <system_error>

#include "analyzers/util/strings.h"
#include "service/store/schema.h"

namespace vigil::service {
namespace {

namespace fs = std::filesystem;

constexpr int kBusyTimeoutMs = 10000;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

absl::StatusOr<Db> Open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return absl::UnavailableError(
        StrCat("cannot open ", path, ": ",
               raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  return db;
}

// The single integer `sql` answers.
absl::StatusOr<int64_t> QueryInt(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  const int64_t value =
      rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : int64_t{0};
  std::string error = rc == SQLITE_ROW ? "" : sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) return absl::InternalError(error);
  return value;
}

// The vigil schema version of an open database.
absl::StatusOr<int> VersionOf(sqlite3* db, const std::string& path) {
  auto version =
      QueryInt(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!version.ok() || *version < 1) {
    return absl::InvalidArgumentError(StrCat(
        path, " is not a vigil store",
        version.ok()
            ? ""
            : StrCat(" (", std::string(version.status().message()), ")")));
  }
  return static_cast<int>(*version);
}

absl::Status CheckNotNewer(int version, const std::string& path) {
  if (version <= LatestSchemaVersion()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      StrCat(path, " has store schema version ", version,
             ", newer than this vigil's (", LatestSchemaVersion(),
             "); restore it with a newer vigil"));
}

// Copies database `from` into `to` in one backup step: one read
// transaction on `from`, so the copy is a consistent snapshot.
absl::Status Copy(sqlite3* from, sqlite3* to, const std::string& to_path) {
  sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
  if (backup == nullptr) {
    return absl::UnavailableError(
        StrCat("cannot write ", to_path, ": ", sqlite3_errmsg(to)));
  }
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < 100; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    sqlite3_sleep(100);
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return absl::UnavailableError(StrCat("copying to ", to_path,
                                         " failed: ", sqlite3_errstr(rc), " (",
                                         sqlite3_errmsg(to), ")"));
  }
  return absl::OkStatus();
}

// Copies `from` to a new file beside `to_path`, then renames it into place.
absl::Status CopyToNewFile(sqlite3* from, const std::string& to_path) {
  const std::string partial = to_path + ".partial";
  auto remove_partial = [&partial] {
    std::error_code ignored;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      fs::remove(partial + suffix, ignored);
    }
  };
  remove_partial();
  {
    auto to = Open(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!to.ok()) return to.status();
    absl::Status copied = Copy(from, to->get(), to_path);
    // One self-contained file: no write-ahead log beside it.
    if (copied.ok() && sqlite3_exec(to->get(), "PRAGMA journal_mode=DELETE",
                                    nullptr, nullptr, nullptr) != SQLITE_OK) {
      copied = absl::UnavailableError(
          StrCat("cannot write ", to_path, ": ", sqlite3_errmsg(to->get())));
    }
    if (!copied.ok()) {
      to->reset();
      remove_partial();
      return copied;
    }
  }
  std::error_code error;
  fs::rename(partial, to_path, error);
  if (error) {
    remove_partial();
    return absl::UnavailableError(StrCat("cannot rename ", partial, " to ",
                                         to_path, ": ", error.message()));
  }
  return absl::OkStatus();
}

absl::Status MustExist(const std::string& path) {
  std::error_code error;
  if (fs::is_regular_file(path, error)) return absl::OkStatus();
  return absl::NotFoundError(StrCat("no such file: ", path));
}

// What the file at `path` holds, for the report.
absl::StatusOr<BackupInfo> Describe(const std::string& path) {
  auto db = Open(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.status();
  BackupInfo info;
  auto version = VersionOf(db->get(), path);
  if (!version.ok()) return version.status();
  info.schema_version = *version;
  auto items = QueryInt(db->get(), "SELECT COUNT(*) FROM items");
  if (!items.ok()) return items.status();
  info.items = *items;
  std::error_code error;
  info.bytes = static_cast<int64_t>(fs::file_size(path, error));
  return info;
}

}  // namespace

absl::StatusOr<int> SqliteStoreSchemaVersion(const std::string& path) {
  if (absl::Status s = MustExist(path); !s.ok()) return s;
  auto db = Open(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.status();
  return VersionOf(db->get(), path);
}

absl::StatusOr<BackupInfo> BackupSqliteStore(const std::string& store_path,
                                             const std::string& to_path,
                                             bool force) {
  if (absl::Status s = MustExist(store_path); !s.ok()) return s;
  std::error_code error;
  if (fs::exists(to_path, error) && !force) {
    return absl::AlreadyExistsError(
        StrCat(to_path, " exists; pass --force to replace it"));
  }
  if (fs::equivalent(store_path, to_path, error)) {
    return absl::InvalidArgumentError("the backup would replace the store");
  }
  // Read-write (not read-only) so that the store's write-ahead log is read
  // as any connection would.
  auto from = Open(store_path, SQLITE_OPEN_READWRITE);
  if (!from.ok()) return from.status();
  if (auto version = VersionOf(from->get(), store_path); !version.ok()) {
    return version.status();
  }
  if (absl::Status s = CopyToNewFile(from->get(), to_path); !s.ok()) return s;
  return Describe(to_path);
}

absl::StatusOr<BackupInfo> RestoreSqliteStore(const std::string& from_path,
                                              const std::string& store_path,
                                              bool force) {
  if (absl::Status s = MustExist(from_path); !s.ok()) return s;
  auto from = Open(from_path, SQLITE_OPEN_READONLY);
  if (!from.ok()) return from.status();
  auto version = VersionOf(from->get(), from_path);
  if (!version.ok()) return version.status();
  if (absl::Status s = CheckNotNewer(*version, from_path); !s.ok()) return s;
  sqlite3_stmt* check = nullptr;
  std::string verdict;
  if (sqlite3_prepare_v2(from->get(), "PRAGMA quick_check", -1, &check,
                         nullptr) == SQLITE_OK &&
      sqlite3_step(check) == SQLITE_ROW) {
    verdict = reinterpret_cast<const char*>(sqlite3_column_text(check, 0));
  }
  sqlite3_finalize(check);
  if (verdict != "ok") {
    return absl::DataLossError(
        StrCat(from_path, " is damaged: ",
               verdict.empty() ? sqlite3_errmsg(from->get()) : verdict));
  }

  std::error_code error;
  const bool exists = fs::exists(store_path, error);
  const bool empty = !exists || fs::file_size(store_path, error) == 0;
  if (!empty && !force) {
    return absl::AlreadyExistsError(
        StrCat("the store ", store_path,
               " exists and is not empty; pass --force to replace it"));
  }
  if (exists && fs::equivalent(store_path, from_path, error)) {
    return absl::InvalidArgumentError("the store is the backup file itself");
  }
  const fs::path dir = fs::path(store_path).parent_path();
  if (!dir.empty()) fs::create_directories(dir, error);
  if (empty) {
    if (absl::Status s = CopyToNewFile(from->get(), store_path); !s.ok()) {
      return s;
    }
  } else {
    // Through SQLite, so that the store's write-ahead log and any open
    // connection see the restored pages rather than a swapped file.
    auto to = Open(store_path, SQLITE_OPEN_READWRITE);
    if (!to.ok()) return to.status();
    if (absl::Status s = Copy(from->get(), to->get(), store_path); !s.ok()) {
      return s;
    }
  }
  return Describe(store_path);
}

}  // namespace vigil::service
