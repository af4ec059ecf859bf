// `vigil loadgen` against a real server: every mode runs, stops by itself,
// and reports throughput, latency and codes; non-loopback targets are
// refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <string>

#include "service/server.h"
#include "tests/service/test_server.h"
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
  ServerOptions options = vigil::testing::TestServerOptions();
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

// Counts of each status code in a loadgen report line for `mode`.
std::map<int, long> Codes(const std::string& output, const std::string& mode) {
  std::map<int, long> codes;
  const size_t line = output.find("\n" + mode + " ");
  if (line == std::string::npos) return codes;
  const size_t end = output.find('\n', line + 1);
  const std::string text = output.substr(line, end - line);
  const size_t at = text.rfind("  ");
  std::stringstream list(text.substr(at + 2));
  std::string item;
  while (std::getline(list, item, ',')) {
    const size_t colon = item.find(':');
    codes[std::stoi(item.substr(0, colon))] = std::stol(item.substr(colon + 1));
  }
  return codes;
}

TEST(OverloadTest, TenTimesTheCapacityFailsFastAndRecovers) {
  ServerOptions options = vigil::testing::TestServerOptions();
  options.max_in_flight = 16;
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string target =
      " --target 127.0.0.1:" + std::to_string((*server)->port());
  int code = 0;
  // 160 calls in flight against room for 16.
  const std::string overload = RunVigil(
      "loadgen --mode unary --duration 3 --concurrency 160" + target, &code);
  ASSERT_EQ(code, 0) << overload;
  const auto during = Codes(overload, "unary");
  std::printf("overload: %s",
              overload.substr(overload.find("\nunary")).c_str());
  EXPECT_GT(during.count(0) ? during.at(0) : 0, 0) << overload;
  EXPECT_GT(during.count(8) ? during.at(8) : 0, 0) << overload;  // EXHAUSTED
  for (const auto& [status, n] : during) {
    EXPECT_TRUE(status == 0 || status == 8) << "code " << status << "\n"
                                            << overload;
  }
  // Load within capacity afterwards: every call succeeds.
  const std::string after = RunVigil(
      "loadgen --mode unary --duration 2 --concurrency 8" + target, &code);
  ASSERT_EQ(code, 0) << after;
  const auto recovered = Codes(after, "unary");
  EXPECT_EQ(recovered.size(), 1u) << after;
  EXPECT_GT(recovered.count(0) ? recovered.at(0) : 0, 0) << after;
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
