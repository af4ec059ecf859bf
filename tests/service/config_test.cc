#include "service/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/test_data.h"

namespace vigil::service {
namespace {

using ::testing::HasSubstr;

std::string Write(const std::string& contents) {
  const std::string path = ::testing::TempDir() + "/vigil_conf_" +
                           std::to_string(getpid()) + "_" +
                           std::to_string(std::hash<std::string>{}(contents));
  std::ofstream(path, std::ios::trunc) << contents;
  return path;
}

TEST(ConfigTest, AppliesSetFieldsOnly) {
  ServerOptions options;
  options.lexicon_dir = "keep-me";
  ASSERT_TRUE(ApplyConfigFile(Write("listen: \"127.0.0.1:6000\"\n"
                                    "tokens: \"/etc/vigil/tokens\"\n"
                                    "tls { cert: \"c.pem\" key: \"k.pem\" }\n"
                                    "limits { max_batch_posts: 10 "
                                    "max_in_flight: 8 }\n"),
                              &options)
                  .ok());
  EXPECT_EQ(options.listen, "127.0.0.1:6000");
  EXPECT_EQ(options.lexicon_dir, "keep-me");
  EXPECT_EQ(options.tokens_path, "/etc/vigil/tokens");
  EXPECT_EQ(options.tls_cert_path, "c.pem");
  EXPECT_EQ(options.tls_key_path, "k.pem");
  EXPECT_EQ(options.max_batch_posts, 10u);
  EXPECT_EQ(options.max_in_flight, 8);
  EXPECT_EQ(options.max_post_bytes, ServerOptions().max_post_bytes);
}

TEST(ConfigTest, ConnectionLimits) {
  ServerOptions options;
  ASSERT_TRUE(ApplyConfigFile(Write("limits { http_max_connections: 500 "
                                    "http_max_connections_per_client: 20 "
                                    "http_read_timeout_ms: 2500 "
                                    "http_request_timeout_ms: 30000 "
                                    "http_keep_alive_seconds: 3 "
                                    "grpc_memory_bytes: 268435456 "
                                    "grpc_handshake_timeout_ms: 4000 "
                                    "grpc_max_connection_idle_ms: 60000 "
                                    "grpc_max_connection_age_ms: 3600000 }\n"),
                              &options)
                  .ok());
  EXPECT_EQ(options.http_max_connections, 500);
  EXPECT_EQ(options.http_max_connections_per_client, 20);
  EXPECT_EQ(options.http_read_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(options.http_request_timeout, std::chrono::seconds(30));
  EXPECT_EQ(options.http_keep_alive_timeout, std::chrono::seconds(3));
  EXPECT_EQ(options.grpc_memory_bytes, size_t{256} << 20);
  EXPECT_EQ(options.grpc_handshake_timeout, std::chrono::milliseconds(4000));
  EXPECT_EQ(options.grpc_max_connection_idle, std::chrono::minutes(1));
  EXPECT_EQ(options.grpc_max_connection_age, std::chrono::hours(1));
  for (const char* bad : {"limits { http_max_connections: 100001 }\n",
                          "limits { http_max_connections_per_client: "
                          "100001 }\n",
                          "limits { grpc_memory_bytes: 1000 }\n"}) {
    const absl::Status status = ApplyConfigFile(Write(bad), &options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(status.message()), HasSubstr("limits."));
  }
}

TEST(ConfigTest, SampleRateAndKey) {
  ServerOptions options;
  ASSERT_TRUE(ApplyConfigFile(Write("sample_rate: 0.002\n"
                                    "sample_key: \"s3cret\"\n"),
                              &options)
                  .ok());
  EXPECT_DOUBLE_EQ(options.sample_rate, 0.002);
  EXPECT_EQ(options.sample_key, "s3cret");
  for (const char* bad :
       {"sample_rate: 1.5\n", "sample_rate: -0.1\n", "sample_rate: nan\n"}) {
    const absl::Status status = ApplyConfigFile(Write(bad), &options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(status.message()), HasSubstr("sample_rate"));
  }
}

TEST(ConfigTest, CampaignsAreOnUnlessTurnedOff) {
  ServerOptions options;
  ASSERT_TRUE(ApplyConfigFile(Write("sample_rate: 0.5\n"), &options).ok());
  EXPECT_TRUE(options.campaigns);
  ASSERT_TRUE(ApplyConfigFile(Write("no_campaigns: true\n"), &options).ok());
  EXPECT_FALSE(options.campaigns);
}

TEST(ConfigTest, ShippedExampleParses) {
  ServerOptions options;
  EXPECT_TRUE(
      ApplyConfigFile(testing::SourcePath("deploy/vigil.conf"), &options).ok());
}

TEST(ConfigTest, ErrorsNameFileLineAndColumn) {
  ServerOptions options;
  const std::string unknown = Write("listen: \"x\"\n\nport: 5\n");
  absl::Status status = ApplyConfigFile(unknown, &options);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr(unknown + ":3:"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("port"));

  const std::string bad_value = Write("limits { max_batch_posts: -1 }\n");
  status = ApplyConfigFile(bad_value, &options);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr(bad_value + ":1:"));

  status = ApplyConfigFile("/nonexistent.conf", &options);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::service
