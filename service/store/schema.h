// The review store's schema and its versioned migrations.
//
// Each migration has a version and SQL for both dialects; Migrate() applies
// those a database lacks, in order, in one transaction, and records them in
// schema_migrations. Several instances starting at once against one
// PostgreSQL serialize on an advisory lock, so each migration runs once.
//
// Thread safety: call with a connection no one else is using.
#ifndef VIGIL_SERVICE_STORE_SCHEMA_H_
#define VIGIL_SERVICE_STORE_SCHEMA_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "service/store/sql.h"

namespace vigil::service {

// The newest schema version this build knows.
int LatestSchemaVersion();

// Brings the database to LatestSchemaVersion(); returns the version it was
// at before. FAILED_PRECONDITION when the database is newer than this build
// (an older vigil must not write to a newer schema).
absl::StatusOr<int> Migrate(SqlConnection& db, int64_t now_micros);

// Migrate, but only up to `target_version` (from 1 to LatestSchemaVersion()):
// a store as the vigil of that schema wrote it. Migrations are append-only
// (an applied one is never edited), so this is exactly the older schema;
// the upgrade tests build their fixtures with it (tests/fixtures/store).
absl::StatusOr<int> Migrate(SqlConnection& db, int64_t now_micros,
                            int target_version);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_SCHEMA_H_
