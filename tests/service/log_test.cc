// Call logs: one line per call, failures at warning level, never post text.
#include "service/log.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <sstream>

#include "service/server.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(LogTest, CallsAreLoggedWithoutPostText) {
  std::ostringstream lines;
  SetLogSink(&lines);
  SetLogLevel(LogLevel::kDebug);
  {
    ServerOptions options = testing::TestServerOptions();
    options.max_post_bytes = 40;
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    auto stub = v1::AnalysisService::NewStub(
        testing::LoopbackChannel((*server)->port()));
    for (const std::string& text :
         {std::string("secret óc chó"), std::string(50, 'z')}) {
      grpc::ClientContext context;
      v1::AnalyzeRequest request;
      request.mutable_post()->set_id("p-42");
      request.mutable_post()->set_text(text);
      v1::AnalyzeResponse response;
      stub->Analyze(&context, request, &response);
    }
    grpc::ClientContext context;
    v1::AnalyzeBatchRequest batch;
    for (const char* text : {"óc chó", "chào"}) {
      v1::Post* post = batch.add_posts();
      post->set_id(std::string("b-") + text);
      post->set_text(text);
    }
    v1::AnalyzeBatchResponse batch_response;
    const grpc::Status batch_status =
        stub->AnalyzeBatch(&context, batch, &batch_response);
    ASSERT_TRUE(batch_status.ok()) << batch_status.error_message();
  }
  SetLogSink(&std::cerr);
  SetLogLevel(LogLevel::kInfo);
  const std::string log = lines.str();
  EXPECT_THAT(log, HasSubstr("debug event=rpc method=Analyze code=0 "
                             "who=\"local\" posts=1 flagged=1"));
  EXPECT_THAT(log, HasSubstr("warning event=rpc method=Analyze code=3"));
  // Batches log who called too (they logged who="-" before).
  EXPECT_THAT(log, HasSubstr("debug event=rpc method=AnalyzeBatch code=0 "
                             "who=\"local\" posts=2 flagged=1"));
  EXPECT_THAT(log, HasSubstr("the limit is 40"));
  EXPECT_THAT(log, Not(HasSubstr("secret")));
  EXPECT_THAT(log, Not(HasSubstr("zzzz")));
}

TEST(LogTest, LevelsFilterAndQuoteEscapes) {
  std::ostringstream lines;
  SetLogSink(&lines);
  SetLogLevel(LogLevel::kWarning);
  Log(LogLevel::kInfo, "hidden", "");
  Log(LogLevel::kError, "shown", "why=" + Quote("a \"b\"\n"));
  SetLogSink(&std::cerr);
  SetLogLevel(LogLevel::kInfo);
  EXPECT_THAT(lines.str(), Not(HasSubstr("hidden")));
  EXPECT_THAT(lines.str(),
              HasSubstr("error event=shown why=\"a \\\"b\\\"\"\n"));
  LogLevel level;
  EXPECT_TRUE(ParseLogLevel("debug", &level));
  EXPECT_EQ(level, LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("loud", &level));
}

}  // namespace
}  // namespace vigil::service
