// The server answers gRPC's standard health checks.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "service/server.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {
namespace {

TEST(HealthTest, ServingWhileUp) {
  ServerOptions options = testing::TestServerOptions();
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = grpc::health::v1::Health::NewStub(
      testing::LoopbackChannel((*server)->port()));
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(stub->Check(&context, {}, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

grpc::health::v1::HealthCheckResponse::ServingStatus Check(int port,
                                                           grpc::Status* s) {
  auto stub = grpc::health::v1::Health::NewStub(testing::LoopbackChannel(port));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  grpc::health::v1::HealthCheckResponse response;
  *s = stub->Check(&context, {}, &response);
  return response.status();
}

TEST(HealthTest, HealthPortAnswersOnlyHealthChecks) {
  ServerOptions options = testing::TestServerOptions();
  options.health_listen = "127.0.0.1:0";
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->health_port();
  ASSERT_GT(port, 0);
  ASSERT_NE(port, (*server)->port());
  grpc::Status status;
  EXPECT_EQ(Check(port, &status),
            grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_TRUE(status.ok()) << status.error_message();
  // The health port serves no vigil service.
  auto analysis = v1::AnalysisService::NewStub(testing::LoopbackChannel(port));
  grpc::ClientContext context;
  v1::AnalyzeRequest request;
  request.mutable_post()->set_text("óc chó");
  v1::AnalyzeResponse response;
  EXPECT_EQ(analysis->Analyze(&context, request, &response).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  // Once shut down, the health port stops answering SERVING.
  (*server)->Shutdown(std::chrono::milliseconds(100));
  const auto after = Check(port, &status);
  EXPECT_FALSE(status.ok() &&
               after == grpc::health::v1::HealthCheckResponse::SERVING);
}

// Copies the test lexicon to a fresh directory.
std::string CopyOfTestLexicon(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::path(::testing::TempDir()) / (name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::copy(testing::SourcePath("tests/fixtures/lexicon"), dir,
           fs::copy_options::recursive);
  return dir.string();
}

bool Flags(int port, const std::string& text) {
  auto stub = v1::AnalysisService::NewStub(testing::LoopbackChannel(port));
  grpc::ClientContext context;
  v1::AnalyzeRequest request;
  request.mutable_post()->set_text(text);
  request.set_dry_run(true);
  v1::AnalyzeResponse response;
  EXPECT_TRUE(stub->Analyze(&context, request, &response).ok());
  return response.verdict().flagged();
}

TEST(LexiconWatchTest, ChangedFilesAreReloadedAndBrokenOnesRejected) {
  const std::string dir = CopyOfTestLexicon("vigil_watch");
  ServerOptions options = testing::TestServerOptions();
  options.lexicon_dir = dir;
  options.lexicon_watch_interval = std::chrono::seconds(1);
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  const std::string before = (*server)->snapshots().Get()->analyzer->version();
  ASSERT_FALSE(Flags(port, "con cá vàng"));
  std::ofstream(dir + "/insult.tsv", std::ios::app)
      << "cá vàng\t3\tfold\tmoderate\n";
  // Within a few intervals the new term serves.
  for (int i = 0; i < 100 && !Flags(port, "con cá vàng"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(Flags(port, "con cá vàng"));
  const std::string after = (*server)->snapshots().Get()->analyzer->version();
  EXPECT_NE(after, before);
  // A broken line is rejected: the last good lexicon keeps serving.
  std::ofstream(dir + "/insult.tsv", std::ios::app) << "broken\tnot-a-weight\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ((*server)->snapshots().Get()->analyzer->version(), after);
  EXPECT_TRUE(Flags(port, "con cá vàng"));
  std::filesystem::remove_all(dir);
}

// A Kubernetes ConfigMap volume: the files live in a timestamped directory,
// "..data" links to it, and each name links through "..data". An update
// writes a new directory and swaps the "..data" link.
TEST(LexiconWatchTest, FollowsAConfigMapUpdate) {
  namespace fs = std::filesystem;
  const std::string source = CopyOfTestLexicon("vigil_cm_source");
  const fs::path volume =
      fs::path(::testing::TempDir()) / ("vigil_cm_" + std::to_string(getpid()));
  fs::remove_all(volume);
  fs::create_directories(volume);
  auto publish = [&](const std::string& version) {
    fs::copy(source, volume / version, fs::copy_options::recursive);
    fs::create_directory_symlink(version, volume / "..data_tmp");
    fs::rename(volume / "..data_tmp", volume / "..data");  // atomic swap
  };
  publish("..2026_11_26_v1");
  for (const auto& entry : fs::directory_iterator(source)) {
    fs::create_symlink(fs::path("..data") / entry.path().filename(),
                       volume / entry.path().filename());
  }
  ServerOptions options = testing::TestServerOptions();
  options.lexicon_dir = volume.string();
  options.lexicon_watch_interval = std::chrono::seconds(1);
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  ASSERT_FALSE(Flags(port, "con cá vàng"));
  // The new version, published the way the kubelet does it; the old
  // directory's files keep their times, only the link moves.
  std::ofstream(source + "/insult.tsv", std::ios::app)
      << "cá vàng\t3\tfold\tmoderate\n";
  publish("..2026_11_26_v2");
  fs::remove_all(volume / "..2026_11_26_v1");
  for (int i = 0; i < 100 && !Flags(port, "con cá vàng"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(Flags(port, "con cá vàng"));
  fs::remove_all(volume);
  fs::remove_all(source);
}

}  // namespace
}  // namespace vigil::service
