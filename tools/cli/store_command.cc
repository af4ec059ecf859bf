// `vigil store backup|restore`: copies of a SQLite review store
// (service/store/backup.h). A PostgreSQL store is answered with the
// pg_dump/pg_restore commands to use instead: running pg_dump from here
// would put the store URL, password included, on its command line for
// every local user to read, and would need a pg_dump of the server's major
// version; the database's own tools (or WAL archiving) do the job better.
#include <iomanip>
#include <ostream>

#include "service/store/backup.h"
#include "service/store/flag_store.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"

namespace vigil::cli {
namespace {

constexpr char kUsage[] =
    "usage: vigil store backup --store URL --to FILE [--force]\n"
    "       vigil store restore --from FILE --store URL [--force]\n"
    "backup copies a SQLite store (sqlite:PATH) to FILE, safely while the\n"
    "server runs and writes: the copy holds every transaction committed\n"
    "when it began. restore writes a backup to a store file; it refuses an\n"
    "existing non-empty store (--force replaces it; stop the server first),\n"
    "a file that is not a vigil store, and a store schema newer than this\n"
    "vigil's. The restored store is upgraded when vigil serve opens it.\n"
    "PostgreSQL stores: use pg_dump and pg_restore (see the README).\n";

constexpr char kPostgresHelp[] =
    "vigil store: PostgreSQL stores are backed up and restored with the "
    "database's own tools:\n"
    "  pg_dump --format=custom --file=vigil.dump 'postgresql://...'\n"
    "  pg_restore --no-owner --dbname='postgresql://.../new_db' vigil.dump\n"
    "(README, \"Backups and upgrades\")\n";

// The file of a sqlite:PATH URL; empty (with a message to `err`) otherwise.
std::string SqlitePath(const std::string& url, std::ostream& err) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    err << kPostgresHelp;
    return "";
  }
  if (url.rfind("sqlite:", 0) != 0 || url.size() == 7 ||
      url == "sqlite::memory:") {
    err << "vigil store: unknown store URL '" << service::RedactStoreUrl(url)
        << "': use sqlite:PATH (a file) or postgresql://...\n";
    return "";
  }
  return url.substr(7);
}

void PrintInfo(const char* what, const std::string& where,
               const service::BackupInfo& info, std::ostream& out) {
  out << what << " " << where << ": schema version " << info.schema_version
      << ", " << info.items << " items, " << std::fixed << std::setprecision(1)
      << info.bytes / 1e6 << " MB\n";
}

}  // namespace

int RunStore(const std::vector<std::string>& args, const char* /*argv0*/,
             std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string action = args[0];
  if (action != "backup" && action != "restore") {
    err << "vigil store: unknown action '" << action << "'\n" << kUsage;
    return 2;
  }
  ParsedFlags flags =
      ParseFlags(std::vector<std::string>(args.begin() + 1, args.end()),
                 {"--store", "--to", "--from"}, {"--force", "--help", "-h"});
  if (flags.Has("--help") || flags.Has("-h")) {
    out << kUsage;
    return 0;
  }
  const char* file_flag = action == "backup" ? "--to" : "--from";
  if (flags.Get("--store").empty()) flags.Fail("--store URL is required");
  if (flags.Get(file_flag).empty()) {
    flags.Fail(std::string(file_flag) + " FILE is required");
  }
  if (action == "backup" && !flags.Get("--from").empty()) {
    flags.Fail("backup takes --to, not --from");
  }
  if (action == "restore" && !flags.Get("--to").empty()) {
    flags.Fail("restore takes --from, not --to");
  }
  if (flags.ReportUsageError("store", kUsage, err)) return 2;

  const std::string url = flags.Get("--store");
  const std::string path = SqlitePath(url, err);
  if (path.empty()) return 1;
  const std::string file = flags.Get(file_flag);
  const bool force = flags.Has("--force");
  auto info = action == "backup"
                  ? service::BackupSqliteStore(path, file, force)
                  : service::RestoreSqliteStore(file, path, force);
  if (!info.ok()) {
    err << "vigil store " << action << ": " << info.status().message() << "\n";
    return 1;
  }
  if (action == "backup") {
    PrintInfo("backed up to", file, *info, out);
  } else {
    PrintInfo("restored", url, *info, out);
  }
  return 0;
}

}  // namespace vigil::cli
