// `vigil loadgen` against a real server: every mode runs, stops by itself,
// and reports throughput, latency and codes; non-loopback targets are
// refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "service/server.h"
#include "tests/test_data.h"

namespace vigil::service {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

std::string RunVigil(const std::string& args, int* exit_code) {
  FILE* pipe =
      popen((std::string(VIGIL_BINARY) + " " + args + " 2>&1").c_str(), "r");
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  *exit_code = WEXITSTATUS(pclose(pipe));
  return output;
}

TEST(LoadgenTest, EveryModeRunsAndReports) {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.store_url = "sqlite::memory:";
  options.lexicon_dir = vigil::testing::SourcePath("tests/fixtures/lexicon");
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  int code = 0;
  const std::string output = RunVigil(
      "loadgen --duration 1 --concurrency 4 --batch 10 --target "
      "127.0.0.1:" +
          std::to_string((*server)->port()),
      &code);
  EXPECT_EQ(code, 0) << output;
  // mode, calls/s, posts/s, three latencies, then only OK codes.
  for (const char* mode : {"trivial", "unary", "batch\\(10\\)", "stream"}) {
    EXPECT_THAT(output, ContainsRegex(std::string("\n") + mode +
                                      " +[1-9][0-9]* +[1-9][0-9]* +[0-9.]+ "
                                      "+[0-9.]+ +[0-9.]+  0:[1-9][0-9]*\n"))
        << mode << "\n"
        << output;
  }
  EXPECT_THAT(output, HasSubstr("% of the trivial-call floor"));
  // Flags were stored (not a dry run).
  auto queue = (*server)->store().CountByStatus();
  ASSERT_TRUE(queue.ok());
  EXPECT_GT(queue->at("open"), 0);
}

TEST(LoadgenTest, RefusesOtherHostsAndBadFlags) {
  int code = 0;
  std::string output = RunVigil("loadgen --target 10.1.2.3:50051", &code);
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("loopback"));
  output = RunVigil("loadgen --duration 0", &code);
  EXPECT_EQ(code, 2);
  output = RunVigil("loadgen --mode fast", &code);
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("--mode"));
}

}  // namespace
}  // namespace vigil::service
