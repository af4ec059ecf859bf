// Integration tests: the real server on a loopback port, called through the
// generated clients.
#include "service/server.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "analyzers/analyzer.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/admin.grpc.pb.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Id("s", i) trips a GCC 12 -Wrestrict false positive.
std::string Id(const char* prefix, int i) {
  std::string id(prefix);
  id.append(std::to_string(i));
  return id;
}

std::string TestLexicons() {
  return testing::SourcePath("tests/fixtures/lexicon");
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options = testing::TestServerOptions();
    options.max_post_bytes = 1000;
    options.max_batch_posts = 50;
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = testing::LoopbackChannel(server_->port());
    analysis_ = v1::AnalysisService::NewStub(channel_);
    admin_ = v1::AdminService::NewStub(channel_);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  static v1::Post MakePost(const std::string& id, const std::string& text) {
    v1::Post post;
    post.set_id(id);
    post.set_text(text);
    return post;
  }

  grpc::Status Analyze(const std::string& text, v1::AnalyzeResponse* out) {
    grpc::ClientContext context;
    v1::AnalyzeRequest request;
    *request.mutable_post() = MakePost("p1", text);
    return analysis_->Analyze(&context, request, out);
  }

  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::AnalysisService::Stub> analysis_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(ServerTest, AnalyzeEqualsTheLibraryResult) {
  auto analyzer = Analyzer::Load(TestLexicons());
  ASSERT_TRUE(analyzer.ok());
  for (const std::string text :
       {"Thằng ngu vcl", "du lịch Đà Lạt", "đ.m mày", "đồ khùng", ""}) {
    v1::AnalyzeResponse response;
    ASSERT_TRUE(Analyze(text, &response).ok()) << text;
    const Analyzer::Result expected = (*analyzer)->Analyze(text);
    const v1::Verdict& v = response.verdict();
    EXPECT_EQ(response.post_id(), "p1");
    EXPECT_EQ(v.flagged(), expected.verdict.flagged) << text;
    EXPECT_EQ(v.lexicon_version(), (*analyzer)->version());
    ASSERT_EQ(static_cast<size_t>(v.hits_size()), expected.verdict.hits.size())
        << text;
    for (int i = 0; i < v.hits_size(); ++i) {
      const match::Hit& h = expected.verdict.hits[i];
      EXPECT_EQ(v.hits(i).begin(), h.begin);
      EXPECT_EQ(v.hits(i).end(), h.end);
      EXPECT_EQ(v.hits(i).begin_char(), h.begin_char);
      EXPECT_EQ(v.hits(i).term(),
                (*analyzer)->lexicon().terms()[h.term].is_regex
                    ? "re:" + (*analyzer)->lexicon().terms()[h.term].text
                    : (*analyzer)->lexicon().terms()[h.term].text);
    }
    EXPECT_EQ(v.scores().size(), 8u);
  }
}

TEST_F(ServerTest, HitDetails) {
  v1::AnalyzeResponse response;
  // "Thằng ngu" is a moderate insult, "đm" (địt mẹ) moderate profanity
  // found through teencode; "vcl" is a mild intensifier: it adds to the
  // profanity score and is listed as mild, but alone it would flag nothing.
  ASSERT_TRUE(Analyze("Thằng ngu vcl, đm", &response).ok());
  const v1::Verdict& v = response.verdict();
  EXPECT_THAT(v.flagged_categories(),
              ::testing::ElementsAre("profanity", "insult"));
  EXPECT_EQ(v.severities().at("insult"), "moderate");
  EXPECT_EQ(v.severities().at("profanity"), "moderate");
  EXPECT_EQ(v.severities().at("hate"), "none");
  EXPECT_EQ(v.severities().size(), 8u);
  ASSERT_EQ(v.hits_size(), 3);
  EXPECT_EQ(v.hits(1).term(), "vãi cả lồn");
  EXPECT_EQ(v.hits(1).severity(), "mild");
  EXPECT_EQ(v.hits(2).term(), "địt mẹ");
  EXPECT_EQ(v.hits(2).category(), "profanity");
  EXPECT_EQ(v.hits(2).severity(), "moderate");
  EXPECT_EQ(v.hits(2).begin(), 17u);
  EXPECT_EQ(v.hits(2).end(), 20u);
  EXPECT_THAT(v.hits(2).via(), ::testing::ElementsAre("teencode"));

  ASSERT_TRUE(Analyze("phim hay vcl", &response).ok());
  EXPECT_FALSE(response.verdict().flagged());
  EXPECT_EQ(response.verdict().severities().at("profanity"), "mild");
  EXPECT_EQ(response.verdict().hits_size(), 0);
}

TEST_F(ServerTest, OversizePostIsInvalidArgument) {
  v1::AnalyzeResponse response;
  grpc::Status status = Analyze(std::string(1001, 'a'), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("the limit is 1000"));
}

TEST_F(ServerTest, BatchKeepsOrderAndEnforcesItsLimit) {
  grpc::ClientContext context;
  v1::AnalyzeBatchRequest request;
  for (int i = 0; i < 50; ++i) {
    *request.add_posts() = MakePost(Id("b", i), i % 2 ? "óc chó" : "xin chào");
  }
  v1::AnalyzeBatchResponse response;
  ASSERT_TRUE(analysis_->AnalyzeBatch(&context, request, &response).ok());
  ASSERT_EQ(response.results_size(), 50);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(response.results(i).post_id(), Id("b", i));
    EXPECT_EQ(response.results(i).verdict().flagged(), i % 2 == 1);
  }
  *request.add_posts() = MakePost("b50", "one too many");
  grpc::ClientContext context2;
  grpc::Status status = analysis_->AnalyzeBatch(&context2, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("the limit is 50"));
}

TEST_F(ServerTest, StreamsTenThousandPostsInOrder) {
  grpc::ClientContext context;
  auto stream = analysis_->AnalyzeStream(&context);
  constexpr int kPosts = 10000;
  std::thread writer([&] {
    for (int i = 0; i < kPosts; ++i) {
      v1::AnalyzeRequest request;
      *request.mutable_post() =
          MakePost(Id("s", i), i % 3 ? "trời đẹp" : "óc chó");
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  v1::AnalyzeResponse response;
  int received = 0;
  while (stream->Read(&response)) {
    EXPECT_EQ(response.post_id(), Id("s", received));
    EXPECT_EQ(response.verdict().flagged(), received % 3 == 0);
    ++received;
  }
  writer.join();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(received, kPosts);
}

TEST_F(ServerTest, LexiconInfo) {
  grpc::ClientContext context;
  v1::LexiconInfo info;
  ASSERT_TRUE(admin_->GetLexiconInfo(&context, {}, &info).ok());
  EXPECT_THAT(info.version(), ::testing::StartsWith("test-1+"));
  EXPECT_EQ(info.directory(), TestLexicons());
  EXPECT_EQ(info.categories().size(), 8u);
  EXPECT_EQ(info.categories().at("insult").learned_terms(), 2u);
  EXPECT_EQ(info.categories().at("insult").curated_terms(), 4u);
  EXPECT_EQ(info.allowlist_phrases(), 2u);
  EXPECT_GT(info.loaded_at().seconds(), 0);
}

TEST_F(ServerTest, BrokenReloadIsRejectedAndTheOldLexiconKeepsServing) {
  const fs::path dir = fs::path(::testing::TempDir()) /
                       ("vigil_srv_lex_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::copy(TestLexicons(), dir, fs::copy_options::recursive);
  std::ofstream(dir / "hate.tsv", std::ios::trunc)
      << "@category\thate\nbắc kỳ\tthree\tfold\tmoderate\n";
  v1::ReloadLexiconsRequest request;
  request.set_directory(dir.string());
  v1::ReloadLexiconsResponse response;
  grpc::ClientContext context;
  grpc::Status status = admin_->ReloadLexicons(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("hate.tsv:2: weight 'three'"));
  v1::AnalyzeResponse analyzed;
  ASSERT_TRUE(Analyze("óc chó", &analyzed).ok());
  EXPECT_TRUE(analyzed.verdict().flagged());
  EXPECT_THAT(analyzed.verdict().lexicon_version(),
              ::testing::StartsWith("test-1+"));

  // Fixed: the reload goes through and the new version serves.
  std::ofstream(dir / "hate.tsv", std::ios::trunc)
      << "@category\thate\nbắc kỳ\t3\tfold\tmoderate\nnam "
         "kỳ\t3\tfold\tmoderate\n";
  grpc::ClientContext context2;
  ASSERT_TRUE(admin_->ReloadLexicons(&context2, request, &response).ok());
  EXPECT_NE(response.info().version(), analyzed.verdict().lexicon_version());
  ASSERT_TRUE(Analyze("bọn nam kỳ", &analyzed).ok());
  EXPECT_THAT(analyzed.verdict().flagged_categories(),
              ::testing::Contains("hate"));
}

TEST_F(ServerTest, ReloadUnderLoadFailsNoCall) {
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back([&] {
      while (!stop) {
        v1::AnalyzeResponse response;
        if (Analyze("óc chó", &response).ok() && response.verdict().flagged()) {
          ++calls;
        } else {
          ++failures;
        }
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    grpc::ClientContext context;
    v1::ReloadLexiconsResponse response;
    ASSERT_TRUE(admin_->ReloadLexicons(&context, {}, &response).ok());
  }
  stop = true;
  for (auto& c : clients) c.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(calls.load(), 0);
}

TEST(ServerStartTest, BrokenLexiconFailsToStart) {
  ServerOptions options = testing::TestServerOptions();
  options.lexicon_dir = "/nonexistent/lexicons";
  auto server = Server::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()),
              HasSubstr("/nonexistent/lexicons/manifest.tsv"));
}

}  // namespace
}  // namespace vigil::service

namespace vigil::service {
namespace {

TEST(OverloadTest, StreamLimitFailsFastWithoutStarvingUnaryCalls) {
  ServerOptions options = testing::TestServerOptions();
  options.max_streams = 1;
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub =
      v1::AnalysisService::NewStub(testing::LoopbackChannel((*server)->port()));
  auto analyze = [&] {
    grpc::ClientContext context;
    v1::AnalyzeRequest request;
    request.mutable_post()->set_id("unary");
    request.mutable_post()->set_text("óc chó");
    v1::AnalyzeResponse response;
    return stub->Analyze(&context, request, &response).error_code();
  };
  // Opens a stream and sends one post; returns the stream's final status
  // code after closing it, or the code it was refused with.
  auto open_stream = [&](grpc::ClientContext* context) {
    return stub->AnalyzeStream(context);
  };
  grpc::ClientContext first_context;
  auto first = open_stream(&first_context);
  v1::AnalyzeRequest request;
  request.mutable_post()->set_text("xin chào");
  ASSERT_TRUE(first->Write(request));
  v1::AnalyzeResponse response;
  ASSERT_TRUE(first->Read(&response));  // the first stream holds the slot
  {
    grpc::ClientContext context;
    auto second = open_stream(&context);
    second->Write(request);
    second->WritesDone();
    while (second->Read(&response)) {
    }
    EXPECT_EQ(second->Finish().error_code(),
              grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  // An open stream does not take unary calls' capacity.
  EXPECT_EQ(analyze(), grpc::StatusCode::OK);
  first->WritesDone();
  while (first->Read(&response)) {
  }
  EXPECT_TRUE(first->Finish().ok());
  // The slot is free again once the first stream is done.
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  for (int i = 0; i < 50 && code != grpc::StatusCode::OK; ++i) {
    grpc::ClientContext context;
    auto again = open_stream(&context);
    again->Write(request);
    again->WritesDone();
    while (again->Read(&response)) {
    }
    code = again->Finish().error_code();
    if (code != grpc::StatusCode::OK) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  EXPECT_EQ(code, grpc::StatusCode::OK);
}

TEST(ShutdownTest, DrainsAStreamInFlight) {
  ServerOptions options = testing::TestServerOptions();
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub =
      v1::AnalysisService::NewStub(testing::LoopbackChannel((*server)->port()));
  grpc::ClientContext context;
  auto stream = stub->AnalyzeStream(&context);
  v1::AnalyzeRequest request;
  request.mutable_post()->set_id("draining");
  request.mutable_post()->set_text("óc chó");
  v1::AnalyzeResponse response;
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  // Shut down while the stream is open: it may finish its work.
  std::thread stopper([&] { (*server)->Shutdown(std::chrono::seconds(10)); });
  int answered = 1;
  for (int i = 0; i < 100; ++i) {
    if (!stream->Write(request)) break;
    if (stream->Read(&response)) ++answered;
  }
  stream->WritesDone();
  while (stream->Read(&response)) ++answered;
  const grpc::Status status = stream->Finish();
  stopper.join();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(answered, 101);
}

}  // namespace
}  // namespace vigil::service
