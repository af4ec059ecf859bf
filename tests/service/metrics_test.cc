// The Prometheus endpoint: after known calls, /metrics reports them.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "service/server.h"
#include "tests/service/http_get.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/admin.grpc.pb.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, CountsSampledPosts) {
  ServerOptions options = vigil::testing::TestServerOptions();
  options.metrics_listen = "127.0.0.1:0";
  options.sample_rate = 1;  // every unflagged post
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto analysis =
      v1::AnalysisService::NewStub(testing::LoopbackChannel((*server)->port()));
  // Two unflagged posts stored, one flagged, one unflagged dry run.
  const std::pair<const char*, bool> posts[] = {{"xin chào", false},
                                                {"trời đẹp", false},
                                                {"óc chó", false},
                                                {"đi chơi", true}};
  int id = 0;
  for (const auto& [text, dry_run] : posts) {
    grpc::ClientContext context;
    v1::AnalyzeRequest request;
    request.mutable_post()->set_id(std::to_string(id++));
    request.mutable_post()->set_text(text);
    request.set_dry_run(dry_run);
    v1::AnalyzeResponse response;
    ASSERT_TRUE(analysis->Analyze(&context, request, &response).ok());
  }
  const std::string page =
      vigil::testing::HttpGet((*server)->metrics_port(), "/metrics");
  EXPECT_THAT(page, HasSubstr("vigil_posts_sampled_total 2"));
  EXPECT_THAT(page, HasSubstr("vigil_posts_flagged_total 1"));
}

TEST(MetricsTest, EndpointReportsCallsPostsFlagsAndLexicon) {
  ServerOptions options = vigil::testing::TestServerOptions();
  options.metrics_listen = "127.0.0.1:0";
  options.max_post_bytes = 100;
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->metrics_port(), 0);
  auto channel = testing::LoopbackChannel((*server)->port());
  auto analysis = v1::AnalysisService::NewStub(channel);
  for (const std::string text : {"óc chó", "xin chào", "trời đẹp"}) {
    grpc::ClientContext context;
    v1::AnalyzeRequest request;
    request.mutable_post()->set_id("p");
    request.mutable_post()->set_text(text);
    v1::AnalyzeResponse response;
    ASSERT_TRUE(analysis->Analyze(&context, request, &response).ok());
  }
  {
    grpc::ClientContext context;
    v1::AnalyzeRequest request;
    request.mutable_post()->set_text(std::string(200, 'a'));  // too long
    v1::AnalyzeResponse response;
    ASSERT_EQ(analysis->Analyze(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  ASSERT_TRUE((*server)->ReloadLexicons().ok());
  ASSERT_FALSE((*server)->ReloadLexicons("/nonexistent").ok());

  const std::string page =
      vigil::testing::HttpGet((*server)->metrics_port(), "/metrics");
  ASSERT_THAT(page, HasSubstr("200 OK"));
  EXPECT_THAT(page,
              HasSubstr("vigil_rpcs_total{code=\"0\",method=\"Analyze\"} 3"));
  EXPECT_THAT(page,
              HasSubstr("vigil_rpcs_total{code=\"3\",method=\"Analyze\"} 1"));
  EXPECT_THAT(
      page,
      HasSubstr("vigil_rpc_duration_seconds_count{method=\"Analyze\"} 4"));
  EXPECT_THAT(page, HasSubstr("vigil_posts_analyzed_total 3"));
  EXPECT_THAT(page, HasSubstr("vigil_posts_flagged_total 1"));
  EXPECT_THAT(page, HasSubstr("vigil_flags_total{category=\"insult\"} 1"));
  EXPECT_THAT(page, HasSubstr("vigil_flags_total{category=\"threat\"} 0"));
  EXPECT_THAT(
      page,
      HasSubstr("vigil_store_duration_seconds_count{op=\"RecordFlagged\"} 1"));
  EXPECT_THAT(
      page,
      HasSubstr("vigil_lexicon_info{version=\"" +
                (*server)->snapshots().Get()->analyzer->version() + "\"} 1"));
  EXPECT_THAT(page, HasSubstr("vigil_lexicon_reloads_total{result=\"ok\"} 1"));
  EXPECT_THAT(page,
              HasSubstr("vigil_lexicon_reloads_total{result=\"rejected\"} 1"));
  // Only one lexicon version is reported after a reload.
  EXPECT_EQ(page.find("vigil_lexicon_info{"),
            page.rfind("vigil_lexicon_info{"));
  // The deploy files (Grafana dashboard, Prometheus alerts) use only
  // metrics the server exports.
  for (const char* file : {"deploy/grafana/vigil-dashboard.json",
                           "deploy/prometheus/vigil-alerts.yml"}) {
    std::ifstream in(vigil::testing::SourcePath(file));
    ASSERT_TRUE(in) << file;
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    const std::regex name("vigil_[a-z_]+");
    int names = 0;
    for (auto it = std::sregex_iterator(content.begin(), content.end(), name);
         it != std::sregex_iterator(); ++it) {
      std::string metric = it->str();
      for (const std::string suffix : {"_bucket", "_count", "_sum"}) {
        if (metric.size() > suffix.size() &&
            metric.compare(metric.size() - suffix.size(), suffix.size(),
                           suffix) == 0) {
          metric.resize(metric.size() - suffix.size());
        }
      }
      ++names;
      EXPECT_THAT(page, HasSubstr("# TYPE " + metric + " ")) << file;
    }
    EXPECT_GT(names, 5) << file;
  }
  // No post text in metrics.
  EXPECT_THAT(page, Not(HasSubstr("óc chó")));
  EXPECT_THAT(page, Not(HasSubstr("chào")));
}

TEST(MetricsTest, UnbindableAddressFailsTheStart) {
  ServerOptions options = vigil::testing::TestServerOptions();
  options.metrics_listen = "203.0.113.1:1";  // not an address of this host
  auto server = Server::Start(options);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(server.status().message(), HasSubstr("metrics"));
}

}  // namespace
}  // namespace vigil::service
