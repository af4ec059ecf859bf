// Faults: the store goes away or fills up while posts are being flagged.
// Calls that must store answer UNAVAILABLE, nothing unstored is
// acknowledged, the server stays up, and it recovers when the store does.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "service/store/flag_store.h"
#include "service/store/sql.h"
#include "tests/service/server_process.h"
#include "tests/service/store/all_items.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {
namespace {

struct Tally {
  int made = 0;
  int acknowledged = 0;
  int unavailable = 0;
  int other = 0;
  std::set<std::string> acknowledged_ids;
};

// Sends flagged posts "prefix-0", "prefix-1", ... for `seconds`.
void Send(v1::AnalysisService::Stub& stub, const std::string& prefix,
          double seconds, Tally* tally) {
  const auto end =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (int i = 0; std::chrono::steady_clock::now() < end; ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::AnalyzeRequest request;
    request.mutable_post()->set_source("fault");
    request.mutable_post()->set_id(prefix + "-" + std::to_string(i));
    // Long posts fill a small disk fast.
    request.mutable_post()->set_text("đồ óc chó " + std::string(2000, 'x'));
    v1::AnalyzeResponse response;
    const grpc::Status status = stub.Analyze(&context, request, &response);
    ++tally->made;
    if (status.ok()) {
      ++tally->acknowledged;
      tally->acknowledged_ids.insert(request.post().id());
    } else if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      ++tally->unavailable;
    } else {
      ++tally->other;
    }
  }
}

// Every acknowledged id is stored, and the database is intact.
void ExpectAllStored(const std::string& store_url, const Tally& tally) {
  auto items = vigil::testing::AllItems(store_url);
  ASSERT_TRUE(items.ok()) << items.status();
  std::set<std::string> stored;
  for (const auto& item : *items) stored.insert(item.post().id());
  int lost = 0;
  for (const std::string& id : tally.acknowledged_ids)
    lost += !stored.count(id);
  EXPECT_EQ(lost, 0);
}

std::unique_ptr<v1::AnalysisService::Stub> StubFor(int port) {
  return v1::AnalysisService::NewStub(testing::LoopbackChannel(port));
}

TEST(FaultTest, FullDiskOnSqliteIsReportedAndCorruptsNothing) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("vigil_full_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string url = "sqlite:" + (dir / "vigil.db").string();
  const std::string log = (dir / "server.log").string();
  Tally full;
  {
    // Files may not grow past 1 MiB: the store fills up within seconds.
    vigil::testing::ServerProcess server(
        {.store_url = url, .log_path = log, .file_size_limit_kb = 1024});
    ASSERT_GT(server.port(), 0) << "see " << log;
    auto stub = StubFor(server.port());
    Send(*stub, "full", 4, &full);
    // The server is still up and answers what needs no storage.
    grpc::ClientContext context;
    v1::AnalyzeRequest request;
    request.mutable_post()->set_text("xin chào");
    v1::AnalyzeResponse response;
    EXPECT_TRUE(stub->Analyze(&context, request, &response).ok());
  }
  std::printf(
      "full disk: %d calls, %d acknowledged, %d UNAVAILABLE, %d other\n",
      full.made, full.acknowledged, full.unavailable, full.other);
  EXPECT_GT(full.acknowledged, 0);
  EXPECT_GT(full.unavailable, 0) << "the disk never filled";
  EXPECT_EQ(full.other, 0);
  // Room again: the store opens, is intact, and holds every acknowledged
  // flag; new flags are stored.
  ExpectAllStored(url, full);
  auto db = OpenSqlite((dir / "vigil.db").string());
  ASSERT_TRUE(db.ok());
  auto check = (*db)->Query("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  EXPECT_EQ((*check)[0][0].AsString(), "ok");
  vigil::testing::ServerProcess server({.store_url = url, .log_path = log});
  ASSERT_GT(server.port(), 0);
  Tally after;
  Send(*StubFor(server.port()), "after", 0.5, &after);
  EXPECT_EQ(after.acknowledged, after.made);
  std::filesystem::remove_all(dir);
}

// Runs tools/pg_test_cluster.sh once; false (with its output on stderr)
// when it fails.
bool ClusterOnce(const std::string& command, const std::string& dir, int port,
                 std::string* url) {
  const std::string script =
      vigil::testing::SourcePath("tools/pg_test_cluster.sh");
  const std::string line =
      script + " " + command + " " + dir + " " + std::to_string(port) + " 2>&1";
  FILE* pipe = popen(line.c_str(), "r");
  if (pipe == nullptr) return false;
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  const bool ok = pclose(pipe) == 0;
  if (!ok)
    std::fprintf(stderr, "pg_test_cluster.sh %s: %s\n", command.c_str(),
                 output.c_str());
  if (url != nullptr) {
    const size_t at = output.find("VIGIL_TEST_PG_URL=");
    if (at != std::string::npos) {
      *url = output.substr(at + 18);
      while (!url->empty() && url->back() == '\n') url->pop_back();
    }
  }
  return ok;
}

// ClusterOnce, retried a few times: on a loaded machine a restart right
// after a stop can find the old server still letting go of its socket.
bool Cluster(const std::string& command, const std::string& dir, int port,
             std::string* url = nullptr) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (ClusterOnce(command, dir, port, url)) return true;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return false;
}

TEST(FaultTest, PostgresStoppedMidRunAnswersUnavailableAndRecovers) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("vigil_pg_fault_" + std::to_string(getpid())))
                              .string();
  // Below Linux's ephemeral ports (32768 and up): while the database is
  // down, the server's reconnection attempts could otherwise connect a
  // socket to itself on this very port and keep it from restarting. Apart
  // from tools/test.sh's ports (26000-31999).
  const int port = 20000 + getpid() % 6000;
  std::string url;
  if (!Cluster("start", dir, port, &url) || url.empty()) {
    Cluster("stop", dir, port);
    GTEST_SKIP() << "cannot start a private PostgreSQL (postgresql not "
                    "installed?)";
  }
  const std::string log = dir + "/vigil.log";
  Tally before, down, after;
  {
    vigil::testing::ServerProcess server({.store_url = url, .log_path = log});
    ASSERT_GT(server.port(), 0) << "see " << log;
    auto stub = StubFor(server.port());
    Send(*stub, "before", 1, &before);
    ASSERT_TRUE(Cluster("stop", dir, port));
    Send(*stub, "down", 2, &down);
    ASSERT_TRUE(Cluster("start", dir, port));
    // The server reconnects by itself; give it a moment, then count.
    Tally warmup;
    for (int i = 0; i < 50 && warmup.acknowledged == 0; ++i) {
      Send(*stub, "warmup" + std::to_string(i), 0.1, &warmup);
    }
    Send(*stub, "after", 1, &after);
    after.acknowledged_ids.insert(warmup.acknowledged_ids.begin(),
                                  warmup.acknowledged_ids.end());
  }
  std::printf(
      "postgres stopped: before %d/%d acknowledged; while down %d calls, %d "
      "UNAVAILABLE, %d acknowledged; after restart %d/%d acknowledged\n",
      before.acknowledged, before.made, down.made, down.unavailable,
      down.acknowledged, after.acknowledged, after.made);
  EXPECT_EQ(before.acknowledged, before.made);
  EXPECT_GT(down.made, 0);
  EXPECT_EQ(down.unavailable, down.made) << "acknowledged while down";
  EXPECT_GT(after.made, 0);
  EXPECT_EQ(after.acknowledged, after.made);
  Tally all = before;
  all.acknowledged_ids.insert(after.acknowledged_ids.begin(),
                              after.acknowledged_ids.end());
  ExpectAllStored(url, all);
  Cluster("stop", dir, port);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::service
