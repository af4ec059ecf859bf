// Crash test: clients stream posts that get flagged while `vigil serve` is
// killed with SIGKILL at random moments. After every kill, each flagged post
// the server acknowledged must be in the store, exactly once.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "service/store/flag_store.h"
#include "tests/service/server_process.h"
#include "tests/service/store/all_items.h"
#include "tests/service/store/test_database.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {
namespace {

constexpr int kRounds = 20;
constexpr int kStreams = 4;

std::string StrId(int round, int stream, int i) {
  return std::to_string(round) + "-" + std::to_string(stream) + "-" +
         std::to_string(i);
}

class CrashTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    db_ = testing::TestDatabase::Create(GetParam(), &skip);
    if (db_ == nullptr) GTEST_SKIP() << skip;
  }
  std::unique_ptr<testing::TestDatabase> db_;
};

TEST_P(CrashTest, AcknowledgedFlagsSurviveSigkill) {
  const std::string log =
      (std::filesystem::temp_directory_path() /
       ("vigil_crash_" + std::to_string(getpid()) + "_" + GetParam() + ".log"))
          .string();
  std::mt19937 random(20261126);
  std::set<std::string> acknowledged;
  int64_t sent = 0;
  for (int round = 0; round < kRounds; ++round) {
    vigil::testing::ServerProcess server(
        {.store_url = db_->url(), .log_path = log});
    ASSERT_GT(server.port(), 0)
        << "server did not start (round " << round << "); see " << log;
    auto channel = vigil::testing::LoopbackChannel(server.port());
    auto stub = v1::AnalysisService::NewStub(channel);
    std::mutex mu;
    std::atomic<int64_t> written{0};
    std::vector<std::thread> clients;
    for (int s = 0; s < kStreams; ++s) {
      clients.emplace_back([&, s] {
        grpc::ClientContext context;
        auto stream = stub->AnalyzeStream(&context);
        // Pipelined: one thread writes as fast as the stream takes posts,
        // this one reads the answers, so many posts are in flight.
        std::thread writer([&] {
          for (int i = 0;; ++i) {
            v1::AnalyzeRequest request;
            request.mutable_post()->set_source("crash");
            request.mutable_post()->set_id(StrId(round, s, i));
            request.mutable_post()->set_text("đồ óc chó số " +
                                             std::to_string(i));
            if (!stream->Write(request)) break;
            ++written;
          }
        });
        v1::AnalyzeResponse response;
        while (stream->Read(&response)) {
          // A response is the acknowledgement: the flag is stored.
          if (response.verdict().flagged()) {
            std::lock_guard<std::mutex> lock(mu);
            acknowledged.insert(response.post_id());
          }
        }
        context.TryCancel();  // the server is gone; stop the writer
        writer.join();
        stream->Finish().IgnoreError();
      });
    }
    // Kill a server that is storing: once this round's first flag is
    // acknowledged (slow builds, such as the sanitizers', take a while to
    // commit their first batch), at a random moment after it.
    const size_t acknowledged_before = [&] {
      std::lock_guard<std::mutex> lock(mu);
      return acknowledged.size();
    }();
    const auto give_up =
        std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool storing = false;
    while (!storing && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      std::lock_guard<std::mutex> lock(mu);
      storing = acknowledged.size() > acknowledged_before;
    }
    EXPECT_TRUE(storing) << "round " << round
                         << ": no flag acknowledged within 60 s; see " << log;
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::uniform_int_distribution<int>(20, 400)(random)));
    server.Kill();
    for (auto& t : clients) t.join();
    sent += written;

    // With the server dead, read the store directly.
    auto items = vigil::testing::AllItems(db_->url());
    ASSERT_TRUE(items.ok()) << items.status();
    std::map<std::string, int> stored;
    for (const auto& item : *items) {
      stored[item.post().id()] += 1;
      EXPECT_EQ(item.times_flagged(), 1) << item.post().id();
    }
    for (const auto& [id, count] : stored) {
      EXPECT_EQ(count, 1) << "item " << id << " stored " << count << " times";
    }
    size_t lost = 0;
    for (const std::string& id : acknowledged) lost += stored.count(id) == 0;
    ASSERT_EQ(lost, 0u) << "round " << round << ": " << lost << " of "
                        << acknowledged.size()
                        << " acknowledged flags are missing";
    // Stored but not acknowledged is allowed (killed before the reply).
    EXPECT_GE(stored.size(), acknowledged.size());
  }
  std::filesystem::remove(log);
  // Every round did real work (each waited for an acknowledgement).
  EXPECT_GT(acknowledged.size(), static_cast<size_t>(kRounds));
  std::printf(
      "crash test (%s): %d rounds, %lld posts sent, %zu flags "
      "acknowledged, 0 lost, 0 duplicated\n",
      GetParam().c_str(), kRounds, static_cast<long long>(sent),
      acknowledged.size());
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vigil::service
