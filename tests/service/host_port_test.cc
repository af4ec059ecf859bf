#include "service/host_port.h"

#include <gtest/gtest.h>

namespace vigil::service {
namespace {

struct Case {
  const char* address;
  bool ok;
  const char* host;
  int port;
};

TEST(HostPortTest, ParsesHostAndPort) {
  const Case cases[] = {
      {"127.0.0.1:50051", true, "127.0.0.1", 50051},
      {"localhost:0", true, "localhost", 0},
      {"[::1]:8080", true, "::1", 8080},
      {"0.0.0.0:65535", true, "0.0.0.0", 65535},
      {"example.com:65536", false, "", 0},
      {"example.com", false, "", 0},
      {"example.com:", false, "", 0},
      {":80", false, "", 0},
      {"[]:80", false, "", 0},
      {"host:8o", false, "", 0},
      {"host:-1", false, "", 0},
      {"host:0000080", false, "", 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.address);
    absl::StatusOr<HostPort> parsed = ParseHostPort(c.address);
    ASSERT_EQ(parsed.ok(), c.ok) << parsed.status();
    if (!c.ok) {
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_NE(parsed.status().message().find(c.address), std::string::npos);
      continue;
    }
    EXPECT_EQ(parsed->host, c.host);
    EXPECT_EQ(parsed->port, c.port);
  }
}

}  // namespace
}  // namespace vigil::service
