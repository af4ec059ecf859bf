// The bad-input matrix: each hostile or broken request gets a clear status
// (or a correct answer), and the server keeps serving after every one.
// Covered elsewhere: unknown categories in filters and malformed cursors
// (store/conformance_test.cc, review_service_test.cc), forged and expired
// tokens (auth_test.cc), malformed lexicons (match tests, server_test.cc)
// and config files (config_test.cc).
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <mutex>

#include "service/server.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {
namespace {

using ::testing::HasSubstr;

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options = vigil::testing::TestServerOptions();
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = testing::LoopbackChannel(server_->port());
    stub_ = v1::AnalysisService::NewStub(channel_);
  }

  grpc::Status Analyze(const v1::Post& post, v1::AnalyzeResponse* response,
                       bool dry_run = false) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    v1::AnalyzeRequest request;
    *request.mutable_post() = post;
    request.set_dry_run(dry_run);
    return stub_->Analyze(&context, request, response);
  }

  // The server still answers a normal post.
  void ExpectAlive() {
    v1::Post post;
    post.set_id("alive");
    post.set_text("đồ óc chó");
    v1::AnalyzeResponse response;
    const grpc::Status status = Analyze(post, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(response.verdict().flagged());
  }

  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::AnalysisService::Stub> stub_;
};

v1::Post Raw(const std::string& id, const std::string& bytes) {
  v1::Post post;
  post.set_id(id);
  post.set_raw_text(bytes);
  return post;
}

TEST_F(BadInputTest, BytesThatAreNotUtf8AreAnalyzedAsTheyAre) {
  struct Case {
    const char* name;
    std::string bytes;
    std::string term;  // expected hit, at these bytes
  };
  const std::vector<Case> cases = {
      {"ill-formed bytes", "\xff\xfe đồ óc chó", "óc chó"},
      {"NUL bytes", std::string("đồ\0 óc chó", sizeof("đồ\0 óc chó") - 1),
       "óc chó"},
      {"lone surrogate (CESU-8)", "\xed\xa0\x80 óc chó", "óc chó"},
      {"truncated sequence", "óc chó \xe1\xbb", "óc chó"},
  };
  for (const Case& c : cases) {
    v1::AnalyzeResponse response;
    const grpc::Status status = Analyze(Raw(c.name, c.bytes), &response);
    ASSERT_TRUE(status.ok()) << c.name << ": " << status.error_message();
    ASSERT_TRUE(response.verdict().flagged()) << c.name;
    const v1::Hit& hit = response.verdict().hits(0);
    EXPECT_EQ(c.bytes.substr(hit.begin(), hit.end() - hit.begin()), c.term)
        << c.name;
  }
  ExpectAlive();
}

TEST_F(BadInputTest, InvalidUtf8InTheTextFieldIsRefusedByGrpc) {
  // Post{id: "a", text: "\xff\xfeab"} written by hand: a proto3 string
  // must be UTF-8, and gRPC refuses the message before vigil sees it.
  const std::string post = std::string(
      "\x0a\x01"
      "a\x12\x04\xff\xfe"
      "ab",
      9);
  const std::string request = "\x0a" + std::string(1, char(post.size())) + post;
  grpc::GenericStub generic(channel_);
  grpc::ClientContext context;
  grpc::Slice slice(request);
  grpc::ByteBuffer in(&slice, 1), out;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  generic.UnaryCall(&context, "/vigil.v1.AnalysisService/Analyze",
                    grpc::StubOptions(), &in, &out, [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = s;
                      done = true;
                      cv.notify_all();
                    });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  lock.unlock();
  // What Debian's gRPC (1.51) answers a request it cannot parse.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED)
      << status.error_message();
  ExpectAlive();
}

TEST_F(BadInputTest, LimitsAndIdsGetInvalidArgument) {
  struct Case {
    const char* name;
    std::function<grpc::Status()> call;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"10 MB post",
       [&] {
         v1::Post post;
         post.set_id("big");
         post.set_text(std::string(10 << 20, 'a'));
         v1::AnalyzeResponse response;
         return Analyze(post, &response);
       },
       "the limit is 1048576"},
      {"100k-post batch",
       [&] {
         grpc::ClientContext context;
         v1::AnalyzeBatchRequest request;
         for (int i = 0; i < 100000; ++i) {
           v1::Post* post = request.add_posts();
           post->set_id(std::to_string(i));
           post->set_text("xin chào");
         }
         v1::AnalyzeBatchResponse response;
         return stub_->AnalyzeBatch(&context, request, &response);
       },
       "the limit is 1000"},
      {"text and raw_text both set",
       [&] {
         v1::Post post = Raw("both", "x");
         post.set_text("y");
         v1::AnalyzeResponse response;
         return Analyze(post, &response);
       },
       "sets both text and raw_text"},
      {"NUL in an id",
       [&] {
         v1::Post post;
         post.set_id(std::string("a\0b", 3));
         post.set_text("xin chào");
         v1::AnalyzeResponse response;
         return Analyze(post, &response);
       },
       "NUL"},
      {"flagged post without an id",
       [&] {
         v1::Post post;
         post.set_text("đồ óc chó");
         v1::AnalyzeResponse response;
         return Analyze(post, &response);
       },
       "has no id"},
  };
  for (const Case& c : cases) {
    const grpc::Status status = c.call();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.name;
    EXPECT_THAT(status.error_message(), HasSubstr(c.message)) << c.name;
    ExpectAlive();
  }
  // Without an id, a dry run still analyzes, and a clean post needs none.
  v1::Post post;
  post.set_text("đồ óc chó");
  v1::AnalyzeResponse response;
  EXPECT_TRUE(Analyze(post, &response, /*dry_run=*/true).ok());
  post.set_text("xin chào");
  EXPECT_TRUE(Analyze(post, &response).ok());
}

TEST_F(BadInputTest, HostileUnicodeIsAnalyzed) {
  // Zalgo: every letter under a stack of 60 combining marks, 50 KB.
  std::string zalgo;
  while (zalgo.size() < 50000) {
    zalgo += "o";
    for (int i = 0; i < 60; ++i) zalgo += "\xcc\x81";  // U+0301
  }
  v1::Post post;
  post.set_id("zalgo");
  post.set_text(zalgo);
  v1::AnalyzeResponse response;
  ASSERT_TRUE(Analyze(post, &response).ok());
  EXPECT_FALSE(response.verdict().flagged());
  // Right-to-left override inside an insult: dropped, still found, and the
  // span covers the original bytes, override included.
  const std::string rlo =
      "đồ ó\xe2\x80\xae"
      "c chó";
  post.set_id("rlo");
  post.set_text(rlo);
  ASSERT_TRUE(Analyze(post, &response).ok());
  ASSERT_TRUE(response.verdict().flagged());
  const v1::Hit& hit = response.verdict().hits(0);
  EXPECT_EQ(rlo.substr(hit.begin(), hit.end() - hit.begin()),
            "ó\xe2\x80\xae"
            "c chó");
  ExpectAlive();
}

TEST_F(BadInputTest, DuplicateIdsInABatchAreOneItem) {
  grpc::ClientContext context;
  v1::AnalyzeBatchRequest request;
  for (int i = 0; i < 2; ++i) {
    v1::Post* post = request.add_posts();
    post->set_source("fb");
    post->set_id("same");
    post->set_text(i == 0 ? "đồ óc chó" : "óc chó thật");
  }
  v1::AnalyzeBatchResponse response;
  ASSERT_TRUE(stub_->AnalyzeBatch(&context, request, &response).ok());
  EXPECT_EQ(response.results_size(), 2);
  v1::ListQueueRequest list;
  auto page = server_->store().ListQueue(list);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items_size(), 1);
  EXPECT_EQ(page->items(0).times_flagged(), 2);
}

}  // namespace
}  // namespace vigil::service
