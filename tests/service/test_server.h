// Server options for tests: a free loopback port, the test lexicon, an
// in-memory store, no metrics endpoint.
#ifndef VIGIL_TESTS_SERVICE_TEST_SERVER_H_
#define VIGIL_TESTS_SERVICE_TEST_SERVER_H_

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

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_SERVICE_TEST_SERVER_H_
