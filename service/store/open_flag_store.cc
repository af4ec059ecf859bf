#include <filesystem>
#include <system_error>

#include "analyzers/util/strings.h"
#include "service/store/flag_store.h"
#include "service/store/sql_flag_store.h"

namespace vigil::service {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite:";
// SQLite has one writer at a time; extra connections serve reads while a
// commit syncs.
constexpr int kSqlitePoolSize = 4;
constexpr int kPostgresPoolSize = 8;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string RedactStoreUrl(const std::string& url) {
  std::string out = url;
  // scheme://user:password@host -> scheme://user:***@host
  const size_t scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  const size_t query = out.find('?', scheme + 3);
  const size_t at = out.find('@', scheme + 3);
  if (at != std::string::npos && at < query) {
    const size_t colon = out.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) {
      out = out.substr(0, colon + 1) + "***" + out.substr(at);
    }
  }
  // ...?password=secret&... -> ...?password=***&...
  for (size_t p = out.find("password=", scheme); p != std::string::npos;
       p = out.find("password=", p + 1)) {
    if (p == 0 || (out[p - 1] != '?' && out[p - 1] != '&')) continue;
    const size_t begin = p + 9;
    const size_t end = std::min(out.find('&', begin), out.size());
    out.replace(begin, end - begin, "***");
  }
  return out;
}

absl::StatusOr<std::unique_ptr<FlagStore>> OpenFlagStore(
    const std::string& url) {
  SqlFlagStore::Options options;
  if (StartsWith(url, kSqlitePrefix)) {
    const std::string path(url.substr(kSqlitePrefix.size()));
    if (path.empty()) {
      return absl::InvalidArgumentError(
          "store URL 'sqlite:' needs a path, e.g. sqlite:data/vigil.db");
    }
    if (path == ":memory:") {
      options.pool_size = 1;  // each connection would be its own database
    } else {
      options.pool_size = kSqlitePoolSize;
      const std::filesystem::path dir =
          std::filesystem::path(path).parent_path();
      std::error_code error;
      if (!dir.empty()) std::filesystem::create_directories(dir, error);
      if (error) {
        return absl::UnavailableError(
            StrCat("cannot create ", dir.string(), ": ", error.message()));
      }
    }
    options.connect = [path] { return OpenSqlite(path); };
  } else if (StartsWith(url, "postgresql://") ||
             StartsWith(url, "postgres://")) {
    options.pool_size = kPostgresPoolSize;
    options.connect = [url] { return OpenPostgres(url); };
  } else {
    return absl::InvalidArgumentError(
        StrCat("unknown store URL '", RedactStoreUrl(url),
               "': use sqlite:PATH or postgresql://..."));
  }
  auto store = SqlFlagStore::Open(std::move(options));
  if (!store.ok()) return store.status();
  return std::unique_ptr<FlagStore>(*std::move(store));
}

}  // namespace vigil::service
