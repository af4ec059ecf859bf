// StatsService end to end: after a known mix of posts through the
// AnalysisService (on one instance, and on two sharing a store), every
// statistic equals the expected count; dry runs and rejected calls are not
// counted; viewers may read statistics, ingest clients may not.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "service/auth.h"
#include "service/server.h"
#include "service/store/flag_store.h"
#include "tests/service/http_get.h"
#include "tests/service/store/test_database.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/analysis.grpc.pb.h"
#include "vigil/v1/stats.grpc.pb.h"

namespace vigil::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

std::string WriteTokens() {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("vigil_stats_tokens_" + std::to_string(getpid())))
                               .string();
  vigil::testing::WriteTokensFile(path, {{"t-ingest", "ingest", "pipeline"},
                                         {"t-viewer", "viewer", "dashboard"}});
  return path;
}

std::unique_ptr<Server> StartServer(const std::string& store_url,
                                    const std::string& tokens,
                                    double sample_rate = 0) {
  ServerOptions options = vigil::testing::TestServerOptions();
  options.sample_rate = sample_rate;
  options.metrics_listen = "127.0.0.1:0";
  options.store_url = store_url;
  options.tokens_path = tokens;
  options.max_post_bytes = 1000;
  auto server = Server::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

std::shared_ptr<grpc::Channel> ChannelTo(const Server& server) {
  return vigil::testing::LoopbackChannel(server.port());
}

// Sends posts as the ingest client: each (source, text); returns the codes.
std::vector<grpc::StatusCode> Send(
    const Server& server,
    const std::vector<std::pair<std::string, std::string>>& posts,
    bool dry_run = false) {
  auto stub = v1::AnalysisService::NewStub(ChannelTo(server));
  std::vector<grpc::StatusCode> codes;
  static int next_id = 0;
  for (const auto& [source, text] : posts) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer t-ingest");
    v1::AnalyzeRequest request;
    request.mutable_post()->set_source(source);
    request.mutable_post()->set_id(std::to_string(next_id++));
    request.mutable_post()->set_text(text);
    request.set_dry_run(dry_run);
    v1::AnalyzeResponse response;
    codes.push_back(stub->Analyze(&context, request, &response).error_code());
  }
  return codes;
}

class StatsServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    db_ = testing::TestDatabase::Create(GetParam(), &skip);
    if (db_ == nullptr) GTEST_SKIP() << skip;
    tokens_ = WriteTokens();
  }
  void TearDown() override { std::filesystem::remove(tokens_); }

  grpc::Status Summary(const Server& server, const std::string& token,
                       v1::GetSummaryResponse* summary) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    return v1::StatsService::NewStub(ChannelTo(server))
        ->GetSummary(&context, {}, summary);
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::string tokens_;
};

TEST_P(StatsServiceTest, KnownMixGivesExactCounts) {
  auto server = StartServer(db_->url(), tokens_);
  ASSERT_NE(server, nullptr);
  Send(*server, {{"fb", "đồ óc chó"},
                 {"fb", "xin chào"},
                 {"fb", "óc chó thật"},
                 {"fb", "trời đẹp"},
                 {"fb", "cảm ơn"},
                 {"yt", "óc chó"},
                 {"yt", "hay quá"},
                 {"yt", "tuyệt vời"}});
  // Not counted: a dry run and a rejected post.
  Send(*server, {{"fb", "óc chó"}}, /*dry_run=*/true);
  EXPECT_EQ(Send(*server, {{"fb", std::string(2000, 'a')}})[0],
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::GetSummaryResponse summary;
  ASSERT_TRUE(Summary(*server, "t-viewer", &summary).ok());
  EXPECT_EQ(summary.total().posts_analyzed(), 8);
  EXPECT_EQ(summary.total().posts_flagged(), 3);
  EXPECT_EQ(summary.total().flags_by_category().at("insult"), 3);
  EXPECT_EQ(summary.total().flags_by_category().at("threat"), 0);
  ASSERT_EQ(summary.by_source_size(), 2);
  EXPECT_EQ(summary.by_source(0).source(), "fb");
  EXPECT_EQ(summary.by_source(0).counts().posts_analyzed(), 5);
  EXPECT_EQ(summary.by_source(0).counts().posts_flagged(), 2);
  EXPECT_EQ(summary.by_source(1).counts().posts_flagged(), 1);
  EXPECT_EQ(summary.queue_by_status().at("open"), 3);
  // Every category, in vigil's order (the console's filter and charts list
  // these), and exactly the keys of the per-category counts.
  EXPECT_THAT(summary.categories(),
              ElementsAre("profanity", "insult", "hate", "threat", "sexual",
                          "self_harm", "scam", "spam"));
  std::vector<std::string> counted;
  for (const auto& [name, n] : summary.total().flags_by_category()) {
    counted.push_back(name);
  }
  EXPECT_THAT(counted, UnorderedElementsAreArray(summary.categories()));

  auto stats = v1::StatsService::NewStub(ChannelTo(*server));
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer t-viewer");
    v1::GetTimeSeriesResponse series;
    ASSERT_TRUE(stats->GetTimeSeries(&context, {}, &series).ok());
    int64_t analyzed = 0, flagged = 0;
    for (const auto& b : series.buckets()) {
      analyzed += b.counts().posts_analyzed();
      flagged += b.counts().posts_flagged();
    }
    EXPECT_EQ(series.buckets_size(), 24 * 60);  // a day of minutes
    EXPECT_EQ(analyzed, 8);
    EXPECT_EQ(flagged, 3);
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer t-viewer");
    v1::GetTopTermsRequest request;
    request.add_categories("insult");
    v1::GetTopTermsResponse top;
    ASSERT_TRUE(stats->GetTopTerms(&context, request, &top).ok());
    ASSERT_GE(top.terms_size(), 1);
    EXPECT_EQ(top.terms(0).term(), "óc chó");
    EXPECT_EQ(top.terms(0).hits(), 3);
  }
  // Ingest clients do not read statistics.
  EXPECT_EQ(Summary(*server, "t-ingest", &summary).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The queue depth reaches the metrics endpoint.
  EXPECT_THAT(vigil::testing::HttpGet(server->metrics_port(), "/metrics"),
              HasSubstr("vigil_queue_items{status=\"open\"} 3"));
}

TEST_P(StatsServiceTest, TwoInstancesAddUp) {
  auto a = StartServer(db_->url(), tokens_);
  auto b = StartServer(db_->url(), tokens_);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Send(*a, {{"fb", "óc chó"}, {"fb", "xin chào"}, {"yt", "chào"}});
  Send(*b, {{"fb", "óc chó"}, {"fb", "đồ óc chó"}});
  // The same minutes, counted by both, then added in the store.
  ASSERT_TRUE(a->FlushStats().ok());
  ASSERT_TRUE(b->FlushStats().ok());
  for (Server* server : {a.get(), b.get()}) {
    v1::GetSummaryResponse summary;
    ASSERT_TRUE(Summary(*server, "t-viewer", &summary).ok());
    EXPECT_EQ(summary.total().posts_analyzed(), 5);
    EXPECT_EQ(summary.total().posts_flagged(), 3);
    EXPECT_EQ(summary.total().flags_by_category().at("insult"), 3);
    EXPECT_EQ(summary.by_source(0).counts().posts_analyzed(), 4);  // fb
  }
}

TEST_P(StatsServiceTest, CliPrintsTheSummary) {
  // Every unflagged post is sampled; an analyst labels one an insult.
  auto server = StartServer(db_->url(), tokens_, /*sample_rate=*/1);
  ASSERT_NE(server, nullptr);
  Send(*server, {{"fb", "đồ óc chó"}, {"fb", "xin chào"}, {"yt", "chào"}});
  {
    auto store = OpenFlagStore(db_->url());
    ASSERT_TRUE(store.ok()) << store.status();
    v1::ClaimRequest claim;
    claim.mutable_filter()->set_queue(v1::QUEUE_SAMPLE);
    auto item = (*store)->Claim(claim, "ann");
    ASSERT_TRUE(item.ok()) << item.status();
    v1::DecideRequest decide;
    decide.set_item_id(item->item_id());
    decide.set_decision(v1::DECISION_ACTIONED);
    decide.add_categories("insult");
    ASSERT_TRUE((*store)->Decide(decide, "ann", "test").ok());
  }
  const std::string command =
      "VIGIL_TOKEN=t-viewer " + std::string(VIGIL_BINARY) +
      " stats --since 1h --target 127.0.0.1:" + std::to_string(server->port()) +
      " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  EXPECT_EQ(pclose(pipe), 0) << output;
  EXPECT_THAT(output, HasSubstr("posts analyzed  3"));
  EXPECT_THAT(output, HasSubstr("posts flagged   1 (33.33%)"));
  EXPECT_THAT(output,
              HasSubstr("campaigns now: 0 clusters holding 0 items, the "
                        "largest 0"));
  EXPECT_THAT(output, ::testing::ContainsRegex("insult +1"));
  EXPECT_THAT(output, ::testing::ContainsRegex("open +1"));
  EXPECT_THAT(output,
              HasSubstr("quality sample: 2 sampled of 2 unflagged posts, 1 "
                        "labeled"));
  // Of 1 labeled post, 1 insult: prevalence 1 with its Wilson interval.
  EXPECT_THAT(output, ::testing::ContainsRegex(
                          "insult +1  1\\.000 \\[0\\.[0-9]+, 1\\.000\\]"));
  // Without a token the server refuses, and the CLI says so.
  const std::string anonymous =
      std::string(VIGIL_BINARY) +
      " stats --target 127.0.0.1:" + std::to_string(server->port()) + " 2>&1";
  pipe = popen(anonymous.c_str(), "r");
  output.clear();
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  EXPECT_NE(pclose(pipe), 0);
  EXPECT_THAT(output, HasSubstr("code 16"));
}

INSTANTIATE_TEST_SUITE_P(Backends, StatsServiceTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vigil::service
