// Backups of a SQLite review store file, and restores from them (vigil store
// backup / restore). PostgreSQL stores are backed up with pg_dump and
// pg_restore instead (README, "Backups and upgrades").
//
//   auto info = BackupSqliteStore("data/vigil.db", "vigil-backup.db", false);
//   auto info = RestoreSqliteStore("vigil-backup.db", "data/vigil.db", false);
//
// A backup is taken with SQLite's online backup API in a single step: the
// copy is the database as one read transaction saw it, every committed
// transaction up to that moment and none after, while the server goes on
// writing (WAL mode: readers and the writer do not wait for each other).
// The copy is written beside its destination and renamed into place, so a
// failed backup leaves no half file under the name asked for. The backup
// file is one self-contained SQLite file (rollback journal, no -wal).
//
// Errors: NOT_FOUND (no such file), INVALID_ARGUMENT (the file is not a
// vigil store), ALREADY_EXISTS (the destination exists and `force` is
// false), FAILED_PRECONDITION (the store's schema is newer than this
// vigil's), DATA_LOSS (the backup file is damaged), UNAVAILABLE (reading or
// writing failed; nothing was replaced).
//
// Thread safety: each call uses its own connections.
#ifndef VIGIL_SERVICE_STORE_BACKUP_H_
#define VIGIL_SERVICE_STORE_BACKUP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace vigil::service {

// What a backup or restore copied.
struct BackupInfo {
  int schema_version = 0;
  int64_t items = 0;
  int64_t bytes = 0;  // size of the file written
};

// The schema version of the vigil store file at `path` (the highest
// migration recorded in it). INVALID_ARGUMENT when it is not a vigil store.
absl::StatusOr<int> SqliteStoreSchemaVersion(const std::string& path);

// Copies the store at `store_path` (which may be in use) to `to_path`.
// An existing `to_path` is replaced only with `force`.
absl::StatusOr<BackupInfo> BackupSqliteStore(const std::string& store_path,
                                             const std::string& to_path,
                                             bool force);

// Writes the backup `from_path` to the store file `store_path`. Refuses a
// file that is not a vigil store, one whose schema is newer than this
// vigil's, and (unless `force`) an existing non-empty store. With `force`
// the store is replaced in place through SQLite, so connections open on it
// see the restored data; stop the server first all the same. The restored
// store is at the backup's schema version; opening it migrates it.
absl::StatusOr<BackupInfo> RestoreSqliteStore(const std::string& from_path,
                                              const std::string& store_path,
                                              bool force);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_BACKUP_H_
