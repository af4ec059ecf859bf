// Flagged posts reach the store before they are acknowledged; dry runs and
// clean posts do not; a failing store fails the call.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "service/server.h"
#include "tests/test_data.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {
namespace {

class FailingStore final : public FlagStore {
 public:
  absl::Status RecordFlagged(std::span<const FlaggedPost>) override {
    return absl::UnavailableError("disk on fire");
  }
};

class StoreTest : public ::testing::Test {
 protected:
  void Start(FlagStore* store) {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.lexicon_dir = testing::SourcePath("tests/fixtures/lexicon");
    options.store = store;
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::AnalysisService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                            grpc::InsecureChannelCredentials()));
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

  InMemoryFlagStore memory_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::AnalysisService::Stub> stub_;
};

TEST_F(StoreTest, FlaggedPostsAreStoredOncePerSourceAndId) {
  Start(&memory_);
  ASSERT_TRUE(Analyze("fb", "1", "óc chó", false).ok());
  ASSERT_TRUE(Analyze("fb", "2", "xin chào", false).ok());         // clean
  ASSERT_TRUE(Analyze("fb", "3", "óc chó", true).ok());            // dry run
  ASSERT_TRUE(Analyze("fb", "1", "óc chó đồ khùng", false).ok());  // again
  ASSERT_TRUE(Analyze("yt", "1", "óc chó", false).ok());  // other source
  EXPECT_EQ(memory_.size(), 2u);
  auto item = memory_.Get("fb", "1");
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->times_flagged, 2);
  EXPECT_EQ(item->latest.post.text(), "óc chó đồ khùng");
  EXPECT_TRUE(item->latest.verdict.flagged());
  EXPECT_GT(item->latest.verdict.hits_size(), 0);
  EXPECT_FALSE(memory_.Get("fb", "2").has_value());
  EXPECT_FALSE(memory_.Get("fb", "3").has_value());
}

TEST_F(StoreTest, BatchAndStreamStoreTheirFlaggedPosts) {
  Start(&memory_);
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
  EXPECT_EQ(memory_.size(), 3u);  // batch 1 and 3, stream s
  EXPECT_TRUE(memory_.Get("batch", "1").has_value());
  EXPECT_TRUE(memory_.Get("stream", "s").has_value());
}

TEST_F(StoreTest, StoreFailureIsUnavailableAndNothingIsAcknowledged) {
  FailingStore failing;
  Start(&failing);
  grpc::Status status = Analyze("fb", "1", "óc chó", false);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("disk on fire"));
  // Clean posts and dry runs need no store.
  EXPECT_TRUE(Analyze("fb", "2", "xin chào", false).ok());
  EXPECT_TRUE(Analyze("fb", "3", "óc chó", true).ok());
}

}  // namespace
}  // namespace vigil::service
