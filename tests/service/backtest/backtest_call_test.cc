// AdminService.Backtest over gRPC against a running server: roles, bad
// requests, a broken candidate, and a run whose streamed report matches
// RunBacktest on the same store.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "service/server.h"
#include "service/store/flag_store.h"
#include "tests/service/test_server.h"
#include "vigil/v1/admin.grpc.pb.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class BacktestCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil_backtest_call_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    testing::WriteTokensFile((dir_ / "tokens").string(),
                             {{"tok-ingest", "ingest", "pipe"},
                              {"tok-analyst", "analyst", "ann"},
                              {"tok-admin", "admin", "root"}});
    ServerOptions options = testing::TestServerOptions();
    options.tokens_path = (dir_ / "tokens").string();
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = testing::LoopbackChannel(server_->port());
    admin_ = v1::AdminService::NewStub(channel);
    auto analysis = v1::AnalysisService::NewStub(channel);
    // Three flagged posts, two of them through "súc vật".
    for (const char* text : {"đồ súc vật", "súc vật hoang dã", "thằng ngu"}) {
      grpc::ClientContext context;
      context.AddMetadata("authorization", "Bearer tok-ingest");
      v1::AnalyzeRequest request;
      request.mutable_post()->set_source("fb");
      request.mutable_post()->set_id(text);
      request.mutable_post()->set_text(text);
      v1::AnalyzeResponse response;
      ASSERT_TRUE(analysis->Analyze(&context, request, &response).ok());
      ASSERT_TRUE(response.verdict().flagged()) << text;
    }
    // The candidate: the test lexicon without "súc vật".
    candidate_ =
        testing::CopyLexicon(testing::SourcePath("tests/fixtures/lexicon"),
                             (dir_ / "candidate").string());
    testing::EditLines(candidate_ + "/insult.tsv", "súc vật\t", "");
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
    fs::remove_all(dir_);
  }

  // Runs a backtest; the messages received and the final status.
  grpc::Status Backtest(const v1::BacktestRequest& request,
                        const std::string& token,
                        std::vector<v1::BacktestResponse>* messages) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    auto reader = admin_->Backtest(&context, request);
    v1::BacktestResponse message;
    while (reader->Read(&message)) messages->push_back(message);
    return reader->Finish();
  }

  fs::path dir_;
  std::string candidate_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(BacktestCallTest, StreamsProgressThenTheReport) {
  v1::BacktestRequest request;
  request.set_directory(candidate_);
  std::vector<v1::BacktestResponse> messages;
  const grpc::Status status = Backtest(request, "tok-admin", &messages);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_GE(messages.size(), 2u);
  EXPECT_TRUE(messages.front().has_progress());
  ASSERT_TRUE(messages.back().has_report());
  const v1::BacktestReport& report = messages.back().report();
  EXPECT_EQ(report.directory(), candidate_);
  EXPECT_EQ(report.items(), 3);
  EXPECT_EQ(report.no_longer_flagged(), 2);
  EXPECT_EQ(report.newly_flagged(), 0);
  EXPECT_NE(report.before_version(), report.after_version());
  ASSERT_EQ(report.terms_size(), 1);
  EXPECT_EQ(report.terms(0).term(), "súc vật");
  EXPECT_EQ(report.terms(0).lost(), 2);
  // The slot is free again: a second run is accepted.
  messages.clear();
  EXPECT_TRUE(Backtest(request, "tok-admin", &messages).ok());
}

TEST_F(BacktestCallTest, RefusesWhatItCannotRun) {
  std::vector<v1::BacktestResponse> messages;
  v1::BacktestRequest request;
  request.set_directory(candidate_);
  EXPECT_EQ(Backtest(request, "tok-analyst", &messages).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      Backtest(v1::BacktestRequest(), "tok-admin", &messages).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  request.set_max_item_ids(1001);
  EXPECT_EQ(Backtest(request, "tok-admin", &messages).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // A broken candidate: INVALID_ARGUMENT naming file:line.
  testing::EditLines(candidate_ + "/insult.tsv", "", "bad line\n");
  request.set_max_item_ids(0);
  const grpc::Status broken = Backtest(request, "tok-admin", &messages);
  EXPECT_EQ(broken.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(broken.error_message(), HasSubstr("insult.tsv:"));
  EXPECT_TRUE(messages.empty());
}

// Cancelling the call stops the backtest (CANCELLED, no report) and frees
// the one-at-a-time slot. The store holds 40,000 items, some 80 pages: the
// cancel, sent on the first progress message, comes long before the end.
TEST(BacktestCallCancelTest, CancellingStopsItAndFreesTheSlot) {
  const fs::path dir = fs::temp_directory_path() /
                       ("vigil_backtest_cancel_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  testing::WriteTokensFile((dir / "tokens").string(),
                           {{"tok-admin", "admin", "root"}});
  auto store = OpenFlagStore("sqlite::memory:");
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<FlaggedPost> posts;
  for (int i = 0; i < 40000; ++i) {
    FlaggedPost p;
    p.post.set_source("fb");
    p.post.set_id(std::to_string(i));
    p.post.set_text("thằng ngu số " + std::to_string(i));
    p.verdict.set_flagged(true);
    p.verdict.add_flagged_categories("insult");
    posts.push_back(std::move(p));
    if (posts.size() == 2000) {
      ASSERT_TRUE((*store)->RecordFlagged(posts).ok());
      posts.clear();
    }
  }
  ServerOptions options = testing::TestServerOptions();
  options.tokens_path = (dir / "tokens").string();
  options.store = store->get();
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto admin =
      v1::AdminService::NewStub(testing::LoopbackChannel((*server)->port()));
  v1::BacktestRequest request;
  request.set_directory(testing::SourcePath("tests/fixtures/lexicon"));
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer tok-admin");
    auto reader = admin->Backtest(&context, request);
    v1::BacktestResponse message;
    ASSERT_TRUE(reader->Read(&message));
    ASSERT_TRUE(message.has_progress());
    EXPECT_LT(message.progress().items_read(), 40000);
    context.TryCancel();
    bool report = false;
    while (reader->Read(&message)) report = report || message.has_report();
    EXPECT_FALSE(report);
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  // The server-side run stops at its next page and frees the slot: a new
  // backtest is accepted (allow it the time to notice the cancel).
  grpc::StatusCode code = grpc::StatusCode::RESOURCE_EXHAUSTED;
  for (int attempt = 0;
       attempt < 100 && code == grpc::StatusCode::RESOURCE_EXHAUSTED;
       ++attempt) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer tok-admin");
    auto reader = admin->Backtest(&context, request);
    v1::BacktestResponse message;
    int64_t items = 0;
    while (reader->Read(&message)) {
      if (message.has_report()) items = message.report().items();
    }
    code = reader->Finish().error_code();
    if (code == grpc::StatusCode::OK) {
      EXPECT_EQ(items, 40000);
    }
    if (code == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_EQ(code, grpc::StatusCode::OK);
  (*server)->Shutdown();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigil::service
