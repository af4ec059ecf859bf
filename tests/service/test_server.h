// Helpers for tests that start a server: its options (a free loopback port,
// the test lexicon, an in-memory store, no metrics endpoint), a channel to
// it, and a tokens file.
#ifndef VIGIL_TESTS_SERVICE_TEST_SERVER_H_
#define VIGIL_TESTS_SERVICE_TEST_SERVER_H_

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <fstream>
#include <memory>
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

// A plaintext channel to a test server's gRPC port on 127.0.0.1.
inline std::shared_ptr<grpc::Channel> LoopbackChannel(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
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
