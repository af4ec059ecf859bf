#include "tests/service/store/test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

namespace vigil::service::testing {

std::unique_ptr<TestDatabase> TestDatabase::Create(const std::string& backend,
                                                   std::string* skip) {
  static std::atomic<int> counter{0};
  const std::string unique =
      std::to_string(getpid()) + "_" + std::to_string(counter++);
  std::unique_ptr<TestDatabase> db(new TestDatabase());
  db->backend_ = backend;
  if (backend == "sqlite") {
    db->path_ =
        (std::filesystem::temp_directory_path() / ("vigil_store_" + unique))
            .string();
    std::filesystem::remove_all(db->path_);
    db->url_ = "sqlite:" + db->path_ + "/vigil.db";
    return db;
  }
  const char* base = std::getenv("VIGIL_TEST_PG_URL");
  if (base == nullptr || *base == '\0') {
    *skip =
        "PostgreSQL tests need VIGIL_TEST_PG_URL (tools/test.sh starts a "
        "server and sets it)";
    return nullptr;
  }
  db->base_url_ = base;
  auto admin = OpenPostgres(db->base_url_);
  if (!admin.ok()) {
    *skip = "cannot reach VIGIL_TEST_PG_URL: " +
            std::string(admin.status().message());
    return nullptr;
  }
  db->schema_ = "vigil_test_" + unique;
  if (!(*admin)
           ->ExecScript("DROP SCHEMA IF EXISTS " + db->schema_ +
                        " CASCADE; CREATE SCHEMA " + db->schema_)
           .ok()) {
    *skip = "cannot create a schema in VIGIL_TEST_PG_URL";
    return nullptr;
  }
  db->url_ = db->base_url_ +
             (db->base_url_.find('?') == std::string::npos ? "?" : "&") +
             "options=-csearch_path%3D" + db->schema_;
  return db;
}

TestDatabase::~TestDatabase() {
  if (!path_.empty()) std::filesystem::remove_all(path_);
  if (!schema_.empty()) {
    if (auto admin = OpenPostgres(base_url_); admin.ok()) {
      (*admin)
          ->ExecScript("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE")
          .IgnoreError();
    }
  }
}

SqlFlagStore::Connect TestDatabase::connect() const {
  if (backend_ == "sqlite") {
    std::filesystem::create_directories(path_);
    const std::string file = path_ + "/vigil.db";
    return [file] { return OpenSqlite(file); };
  }
  const std::string url = url_;
  return [url] { return OpenPostgres(url); };
}

}  // namespace vigil::service::testing
