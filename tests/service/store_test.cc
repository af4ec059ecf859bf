// Flagged posts reach the store before they are acknowledged; dry runs and
// clean posts do not; a failing store fails the call.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "service/server.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {
namespace {

// A store whose writes fail (its reads go to a real store).
class FailingStore final : public FlagStore {
 public:
  FailingStore() : real_(*OpenFlagStore("sqlite::memory:")) {}
  absl::Status RecordFlagged(std::span<const FlaggedPost>) override {
    return absl::UnavailableError("disk on fire");
  }
  absl::StatusOr<v1::ListQueueResponse> ListQueue(
      const v1::ListQueueRequest& r) override {
    return real_->ListQueue(r);
  }
  absl::StatusOr<v1::ReviewItem> GetItem(int64_t id) override {
    return real_->GetItem(id);
  }
  absl::StatusOr<v1::ReviewItem> Claim(const v1::ClaimRequest& r,
                                       const std::string& who) override {
    return real_->Claim(r, who);
  }
  absl::StatusOr<v1::ReviewItem> Release(int64_t id,
                                         const std::string& who) override {
    return real_->Release(id, who);
  }
  absl::StatusOr<v1::ReviewItem> Decide(const v1::DecideRequest& r,
                                        const std::string& who,
                                        const std::string& v) override {
    return real_->Decide(r, who, v);
  }
  absl::StatusOr<v1::ReviewItem> Reopen(const v1::ReopenRequest& r,
                                        const std::string& who) override {
    return real_->Reopen(r, who);
  }
  absl::StatusOr<v1::ReviewEvent> Comment(const v1::CommentRequest& r,
                                          const std::string& who) override {
    return real_->Comment(r, who);
  }
  absl::StatusOr<v1::GetHistoryResponse> GetHistory(int64_t id) override {
    return real_->GetHistory(id);
  }
  absl::StatusOr<int64_t> EraseTextBefore(int64_t cutoff) override {
    return real_->EraseTextBefore(cutoff);
  }
  absl::Status AddStats(const StatsDelta& delta) override {
    return real_->AddStats(delta);
  }
  absl::StatusOr<v1::GetSummaryResponse> GetSummary(
      const v1::GetSummaryRequest& r) override {
    return real_->GetSummary(r);
  }
  absl::StatusOr<v1::GetTimeSeriesResponse> GetTimeSeries(
      const v1::GetTimeSeriesRequest& r) override {
    return real_->GetTimeSeries(r);
  }
  absl::StatusOr<v1::GetTopTermsResponse> GetTopTerms(
      const v1::GetTopTermsRequest& r) override {
    return real_->GetTopTerms(r);
  }
  absl::StatusOr<v1::GetReviewOutcomesResponse> GetReviewOutcomes(
      const v1::GetReviewOutcomesRequest& r) override {
    return real_->GetReviewOutcomes(r);
  }
  absl::StatusOr<v1::GetSampleEstimatesResponse> GetSampleEstimates(
      const v1::GetSampleEstimatesRequest& r) override {
    return real_->GetSampleEstimates(r);
  }
  absl::StatusOr<v1::ListClustersResponse> ListClusters(
      const v1::ListClustersRequest& r) override {
    return real_->ListClusters(r);
  }
  absl::StatusOr<v1::GetClusterResponse> GetCluster(
      const v1::GetClusterRequest& r) override {
    return real_->GetCluster(r);
  }
  absl::StatusOr<v1::DecideClusterResponse> DecideCluster(
      const v1::DecideClusterRequest& r, const std::string& who,
      const std::string& v) override {
    return real_->DecideCluster(r, who, v);
  }
  absl::StatusOr<ClusterCounts> CountClusters() override {
    return real_->CountClusters();
  }
  absl::StatusOr<std::map<std::string, int64_t>> CountByStatus() override {
    return real_->CountByStatus();
  }

 private:
  std::unique_ptr<FlagStore> real_;
};

class StoreTest : public ::testing::Test {
 protected:
  void Start(FlagStore* store,
             std::chrono::seconds retention = std::chrono::seconds(0)) {
    ServerOptions options;
    options.retention = retention;
    options.retention_interval = std::chrono::seconds(1);
    options.listen = "127.0.0.1:0";
    options.lexicon_dir = testing::SourcePath("tests/fixtures/lexicon");
    options.store = store;
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ =
        v1::AnalysisService::NewStub(testing::LoopbackChannel(server_->port()));
  }
  grpc::Status Analyze(const std::string& source, const std::string& id,
                       const std::string& text, bool dry_run) {
    grpc::ClientContext context;
    v1::AnalyzeRequest request;
    request.mutable_post()->set_source(source);
    request.mutable_post()->set_id(id);
    request.mutable_post()->set_text(text);
    request.set_dry_run(dry_run);
    v1::AnalyzeResponse response;
    return stub_->Analyze(&context, request, &response);
  }

  // The item stored for (source, id), if any.
  std::optional<v1::ReviewItem> Get(const std::string& source,
                                    const std::string& id) {
    v1::ListQueueRequest request;
    request.mutable_filter()->set_source(source);
    auto page = store_->ListQueue(request);
    EXPECT_TRUE(page.ok()) << page.status();
    for (const v1::ReviewItem& item : page->items()) {
      if (item.post().id() == id) return item;
    }
    return std::nullopt;
  }
  size_t Count() {
    v1::ListQueueRequest request;
    request.set_page_size(500);
    return store_->ListQueue(request)->items_size();
  }

  // Stores outlive the server (declared first, destroyed last).
  std::unique_ptr<FlagStore> store_ = *OpenFlagStore("sqlite::memory:");
  std::unique_ptr<FlagStore> failing_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::AnalysisService::Stub> stub_;
};

TEST_F(StoreTest, FlaggedPostsAreStoredOncePerSourceAndId) {
  Start(store_.get());
  ASSERT_TRUE(Analyze("fb", "1", "óc chó", false).ok());
  ASSERT_TRUE(Analyze("fb", "2", "xin chào", false).ok());         // clean
  ASSERT_TRUE(Analyze("fb", "3", "óc chó", true).ok());            // dry run
  ASSERT_TRUE(Analyze("fb", "1", "óc chó đồ khùng", false).ok());  // again
  ASSERT_TRUE(Analyze("yt", "1", "óc chó", false).ok());  // other source
  EXPECT_EQ(Count(), 2u);
  auto item = Get("fb", "1");
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->times_flagged(), 2);
  EXPECT_EQ(item->post().text(), "óc chó đồ khùng");
  EXPECT_TRUE(item->verdict().flagged());
  EXPECT_GT(item->verdict().hits_size(), 0);
  EXPECT_FALSE(Get("fb", "2").has_value());
  EXPECT_FALSE(Get("fb", "3").has_value());
}

TEST_F(StoreTest, BatchAndStreamStoreTheirFlaggedPosts) {
  Start(store_.get());
  grpc::ClientContext context;
  v1::AnalyzeBatchRequest batch;
  for (int i = 0; i < 4; ++i) {
    v1::Post* p = batch.add_posts();
    p->set_source("batch");
    p->set_id(std::to_string(i));
    p->set_text(i % 2 ? "óc chó" : "trời đẹp");
  }
  v1::AnalyzeBatchResponse batch_response;
  ASSERT_TRUE(stub_->AnalyzeBatch(&context, batch, &batch_response).ok());
  grpc::ClientContext stream_context;
  auto stream = stub_->AnalyzeStream(&stream_context);
  v1::AnalyzeRequest request;
  request.mutable_post()->set_source("stream");
  request.mutable_post()->set_id("s");
  request.mutable_post()->set_text("đồ khùng");
  ASSERT_TRUE(stream->Write(request));
  stream->WritesDone();
  v1::AnalyzeResponse response;
  while (stream->Read(&response)) {
  }
  ASSERT_TRUE(stream->Finish().ok());
  EXPECT_EQ(Count(), 3u);  // batch 1 and 3, stream s
  EXPECT_TRUE(Get("batch", "1").has_value());
  EXPECT_TRUE(Get("stream", "s").has_value());
}

TEST_F(StoreTest, StoreFailureIsUnavailableAndNothingIsAcknowledged) {
  failing_ = std::make_unique<FailingStore>();
  Start(failing_.get());
  grpc::Status status = Analyze("fb", "1", "óc chó", false);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("disk on fire"));
  // Clean posts and dry runs need no store.
  EXPECT_TRUE(Analyze("fb", "2", "xin chào", false).ok());
  EXPECT_TRUE(Analyze("fb", "3", "óc chó", true).ok());
}

TEST_F(StoreTest, NulBytesInIdsAreInvalidArgument) {
  Start(store_.get());
  grpc::Status status = Analyze("fb", std::string("a\0b", 3), "óc chó", false);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("NUL"));
  EXPECT_EQ(Count(), 0u);
}

TEST_F(StoreTest, RetentionErasesOldTextWhileServing) {
  Start(store_.get(), std::chrono::seconds(1));
  ASSERT_TRUE(Analyze("fb", "1", "óc chó", false).ok());
  ASSERT_EQ(Get("fb", "1")->post().text(), "óc chó");
  // The post ages past the one-second retention; the next check erases it.
  for (int i = 0; i < 50 && Get("fb", "1")->has_text_erased_at() == false;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto item = Get("fb", "1");
  EXPECT_TRUE(item->has_text_erased_at());
  EXPECT_EQ(item->post().text(), "");
  EXPECT_TRUE(item->verdict().flagged());
}

}  // namespace
}  // namespace vigil::service
