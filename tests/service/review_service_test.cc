// ReviewService end to end: posts flagged through the AnalysisService are
// worked through by analysts over gRPC, with identities from their tokens,
// on one instance and on two instances sharing one store.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "service/auth.h"
#include "service/server.h"
#include "tests/service/store/test_database.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/admin.grpc.pb.h"
#include "vigil/v1/analysis.grpc.pb.h"
#include "vigil/v1/review.grpc.pb.h"

namespace vigil::service {
namespace {

constexpr int kAnalysts = 4;

std::string TokenOf(const std::string& name) { return "token-" + name; }

// A tokens file with an ingest client, a viewer and kAnalysts analysts.
std::string WriteTokens() {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("vigil_review_tokens_" + std::to_string(getpid())))
                               .string();
  std::vector<vigil::testing::TestToken> tokens = {
      {TokenOf("pipeline"), "ingest", "pipeline"},
      {TokenOf("dash"), "viewer", "dash"}};
  for (int i = 0; i < kAnalysts; ++i) {
    const std::string name = "analyst" + std::to_string(i);
    tokens.push_back({TokenOf(name), "analyst", name});
  }
  vigil::testing::WriteTokensFile(path, tokens);
  return path;
}

class Instance {
 public:
  Instance(const std::string& store_url, const std::string& tokens) {
    ServerOptions options = vigil::testing::TestServerOptions();
    options.store_url = store_url;
    options.tokens_path = tokens;
    auto server = Server::Start(options);
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return;
    server_ = *std::move(server);
    auto channel = vigil::testing::LoopbackChannel(server_->port());
    analysis = v1::AnalysisService::NewStub(channel);
    review = v1::ReviewService::NewStub(channel);
    admin = v1::AdminService::NewStub(channel);
  }
  bool ok() const { return server_ != nullptr; }

  std::unique_ptr<v1::AnalysisService::Stub> analysis;
  std::unique_ptr<v1::ReviewService::Stub> review;
  std::unique_ptr<v1::AdminService::Stub> admin;

 private:
  std::unique_ptr<Server> server_;
};

void As(const std::string& name, grpc::ClientContext* context) {
  context->AddMetadata("authorization", "Bearer " + TokenOf(name));
}

class ReviewServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    db_ = testing::TestDatabase::Create(GetParam(), &skip);
    if (db_ == nullptr) GTEST_SKIP() << skip;
    tokens_ = WriteTokens();
  }
  void TearDown() override { std::filesystem::remove(tokens_); }

  // Sends `texts` as posts 0..n-1 of source "fb" through `instance`.
  void Ingest(Instance& instance, const std::vector<std::string>& texts) {
    grpc::ClientContext context;
    As("pipeline", &context);
    v1::AnalyzeBatchRequest request;
    for (size_t i = 0; i < texts.size(); ++i) {
      v1::Post* post = request.add_posts();
      post->set_source("fb");
      post->set_id(std::to_string(i));
      post->set_text(texts[i]);
    }
    v1::AnalyzeBatchResponse response;
    ASSERT_TRUE(
        instance.analysis->AnalyzeBatch(&context, request, &response).ok());
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::string tokens_;
};

TEST_P(ReviewServiceTest, AnalystsWorkTheQueue) {
  Instance server(db_->url(), tokens_);
  ASSERT_TRUE(server.ok());
  Ingest(server, {"xin chào", "đồ óc chó", "trời đẹp quá"});

  grpc::ClientContext list_context;
  As("analyst0", &list_context);
  v1::ListQueueResponse queue;
  ASSERT_TRUE(server.review->ListQueue(&list_context, {}, &queue).ok());
  ASSERT_EQ(queue.items_size(), 1);  // only the flagged post
  const v1::ReviewItem& item = queue.items(0);
  EXPECT_EQ(item.post().id(), "1");
  EXPECT_EQ(item.post().text(), "đồ óc chó");
  ASSERT_GT(item.verdict().hits_size(), 0);
  const v1::Hit& hit = item.verdict().hits(0);
  EXPECT_EQ(item.post().text().substr(hit.begin(), hit.end() - hit.begin()),
            "óc chó");

  // analyst0 claims the next item; analyst1 cannot take it.
  grpc::ClientContext claim_context;
  As("analyst0", &claim_context);
  v1::ReviewItem claimed;
  ASSERT_TRUE(server.review->Claim(&claim_context, {}, &claimed).ok());
  EXPECT_EQ(claimed.item_id(), item.item_id());
  EXPECT_EQ(claimed.claimed_by(), "analyst0");
  grpc::ClientContext steal_context;
  As("analyst1", &steal_context);
  v1::ClaimRequest steal;
  steal.set_item_id(item.item_id());
  v1::ReviewItem stolen;
  const grpc::Status refused =
      server.review->Claim(&steal_context, steal, &stolen);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), ::testing::HasSubstr("analyst0"));

  grpc::ClientContext decide_context;
  As("analyst0", &decide_context);
  v1::DecideRequest decide;
  decide.set_item_id(item.item_id());
  decide.set_decision(v1::DECISION_ACTIONED);
  decide.set_reason("xúc phạm");
  v1::ReviewItem decided;
  ASSERT_TRUE(server.review->Decide(&decide_context, decide, &decided).ok());
  EXPECT_EQ(decided.status(), v1::ITEM_STATUS_ACTIONED);
  EXPECT_EQ(decided.decided_by(), "analyst0");

  grpc::ClientContext info_context;
  As("analyst0", &info_context);
  v1::LexiconInfo info;
  ASSERT_TRUE(server.admin->GetLexiconInfo(&info_context, {}, &info).ok());
  grpc::ClientContext history_context;
  As("analyst1", &history_context);
  v1::GetHistoryRequest history_request;
  history_request.set_item_id(item.item_id());
  v1::GetHistoryResponse history;
  ASSERT_TRUE(
      server.review->GetHistory(&history_context, history_request, &history)
          .ok());
  ASSERT_EQ(history.events_size(), 3);
  EXPECT_EQ(history.events(0).kind(), v1::EVENT_KIND_FLAGGED);
  EXPECT_EQ(history.events(0).lexicon_version(), info.version());
  EXPECT_EQ(history.events(2).kind(), v1::EVENT_KIND_DECIDED);
  EXPECT_EQ(history.events(2).actor(), "analyst0");
  EXPECT_EQ(history.events(2).text(), "xúc phạm");
  EXPECT_EQ(history.events(2).lexicon_version(), info.version());

  // Viewers see statistics, not posts.
  grpc::ClientContext viewer_context;
  As("dash", &viewer_context);
  v1::ListQueueResponse denied;
  EXPECT_EQ(server.review->ListQueue(&viewer_context, {}, &denied).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Bad filters are the caller's error.
  grpc::ClientContext bad_context;
  As("analyst0", &bad_context);
  v1::ListQueueRequest bad;
  bad.mutable_filter()->add_categories("politics");
  EXPECT_EQ(server.review->ListQueue(&bad_context, bad, &denied).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_P(ReviewServiceTest, TwoInstancesNeverHandOutTheSameItem) {
  Instance a(db_->url(), tokens_);
  Instance b(db_->url(), tokens_);
  ASSERT_TRUE(a.ok() && b.ok());
  constexpr int kPosts = 40;
  std::vector<std::string> texts(kPosts, "đồ óc chó");
  Ingest(a, texts);
  std::mutex mu;
  std::vector<int64_t> claimed;
  std::vector<std::thread> analysts;
  for (int i = 0; i < kAnalysts; ++i) {
    Instance* instance = i % 2 ? &b : &a;
    analysts.emplace_back([&, instance, i] {
      const std::string name = "analyst" + std::to_string(i);
      while (true) {
        grpc::ClientContext context;
        As(name, &context);
        v1::ReviewItem item;
        const grpc::Status status =
            instance->review->Claim(&context, {}, &item);
        if (!status.ok()) {
          EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND)
              << status.error_message();
          return;
        }
        EXPECT_EQ(item.claimed_by(), name);
        std::lock_guard<std::mutex> lock(mu);
        claimed.push_back(item.item_id());
      }
    });
  }
  for (auto& t : analysts) t.join();
  std::sort(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kPosts));
  EXPECT_EQ(std::adjacent_find(claimed.begin(), claimed.end()), claimed.end())
      << "two analysts got the same item";
}

INSTANTIATE_TEST_SUITE_P(Backends, ReviewServiceTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vigil::service
