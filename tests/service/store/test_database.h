// A fresh, empty database per test, for each store backend: a SQLite file
// in a temporary directory, or a new schema in the PostgreSQL named by
// $VIGIL_TEST_PG_URL (tools/test.sh starts one for CI).
#ifndef VIGIL_TESTS_SERVICE_STORE_TEST_DATABASE_H_
#define VIGIL_TESTS_SERVICE_STORE_TEST_DATABASE_H_

#include <memory>
#include <string>

#include "service/store/sql_flag_store.h"

namespace vigil::service::testing {

class TestDatabase {
 public:
  // "sqlite" or "postgres". Null (with `*skip` saying why) when PostgreSQL
  // is not configured.
  static std::unique_ptr<TestDatabase> Create(const std::string& backend,
                                              std::string* skip);
  ~TestDatabase();

  // A store URL for OpenFlagStore / `vigil serve --store`.
  const std::string& url() const { return url_; }
  // Opens connections to this database.
  SqlFlagStore::Connect connect() const;

 private:
  TestDatabase() = default;
  std::string backend_;
  std::string url_;
  std::string path_;    // SQLite directory
  std::string schema_;  // PostgreSQL schema
  std::string base_url_;
};

}  // namespace vigil::service::testing

#endif  // VIGIL_TESTS_SERVICE_STORE_TEST_DATABASE_H_
