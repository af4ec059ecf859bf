// Server options for tests: a free loopback port, the test lexicon, an
// in-memory store, no metrics endpoint.
#ifndef VIGIL_TESTS_SERVICE_TEST_SERVER_H_
#define VIGIL_TESTS_SERVICE_TEST_SERVER_H_

#include <fstream>
#include <string>
#include <vector>

#include "service/auth.h"
#include "service/server.h"
#include "tests/test_data.h"

namespace vigil::testing {

inline service::ServerOptions TestServerOptions() {
  service::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.store_url = "sqlite::memory:";
  options.lexicon_dir = SourcePath("tests/fixtures/lexicon");
  return options;
}

struct TestToken {
  std::string token;
  std::string role;  // ingest, analyst, viewer or admin
  std::string name;
};

// Writes a tokens file (see service/auth.h) holding `tokens` to `path`.
inline void WriteTokensFile(const std::string& path,
                            const std::vector<TestToken>& tokens) {
  std::ofstream out(path, std::ios::trunc);
  for (const TestToken& t : tokens) {
    out << service::TokenStore::HashHex(t.token) << "\t" << t.role << "\t"
        << t.name << "\n";
  }
}

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_SERVICE_TEST_SERVER_H_
