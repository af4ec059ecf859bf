// ReviewService end to end: posts flagged through the AnalysisService are
// worked through by analysts over gRPC, with identities from their tokens,
// on one instance and on two instances sharing one store.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "service/auth.h"
#include "service/sampler.h"
#include "service/server.h"
#include "tests/service/http_get.h"
#include "tests/service/store/test_database.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/admin.grpc.pb.h"
#include "vigil/v1/analysis.grpc.pb.h"
#include "vigil/v1/review.grpc.pb.h"
#include "vigil/v1/stats.grpc.pb.h"

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
  Instance(const std::string& store_url, const std::string& tokens,
           double sample_rate = 0, bool campaigns = true) {
    ServerOptions options = vigil::testing::TestServerOptions();
    options.store_url = store_url;
    options.tokens_path = tokens;
    options.sample_rate = sample_rate;
    options.sample_key = "shared secret";
    options.campaigns = campaigns;
    options.metrics_listen = "127.0.0.1:0";
    auto server = Server::Start(options);
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return;
    server_ = *std::move(server);
    auto channel = vigil::testing::LoopbackChannel(server_->port());
    analysis = v1::AnalysisService::NewStub(channel);
    review = v1::ReviewService::NewStub(channel);
    admin = v1::AdminService::NewStub(channel);
    stats = v1::StatsService::NewStub(channel);
  }
  bool ok() const { return server_ != nullptr; }
  int metrics_port() const { return server_->metrics_port(); }

  std::unique_ptr<v1::AnalysisService::Stub> analysis;
  std::unique_ptr<v1::ReviewService::Stub> review;
  std::unique_ptr<v1::AdminService::Stub> admin;
  std::unique_ptr<v1::StatsService::Stub> stats;

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

TEST_P(ReviewServiceTest, CampaignsAreGroupedAndDecidedTogether) {
  Instance server(db_->url(), tokens_);
  ASSERT_TRUE(server.ok());
  // Four copies of one post (another number each, emoji), a short flagged
  // post and an unflagged one.
  Ingest(server,
         {"thằng admin trang này đúng là đồ óc chó, gọi 0912345678 mà xem",
          "thằng admin trang này đúng là đồ óc chó, gọi 0987654321 mà xem",
          "😡 thằng admin trang này đúng là đồ óc chó!! gọi 0911111111 mà xem",
          "thằng admin trang này đúng là đồ óc chó, gọi 0912345678 mà xem đi",
          "đồ óc chó", "hôm nay trời đẹp quá, đi chơi thôi mọi người ơi"});

  grpc::ClientContext list_context;
  As("analyst0", &list_context);
  v1::ListClustersResponse clusters;
  ASSERT_TRUE(server.review->ListClusters(&list_context, {}, &clusters).ok());
  ASSERT_EQ(clusters.clusters_size(), 1);
  const v1::Cluster& cluster = clusters.clusters(0);
  EXPECT_EQ(cluster.size(), 4);
  EXPECT_EQ(cluster.open_count(), 4);
  EXPECT_THAT(cluster.categories(), ::testing::ElementsAre("insult"));
  ASSERT_EQ(cluster.samples_size(), 3);
  // What varies between the samples is marked in each: the samples are the
  // first copy and the latest two, so the third copy's number and the
  // fourth's extra word (the number it shares with the first does not).
  std::vector<std::string> varying;
  for (const v1::ClusterSample& sample : cluster.samples()) {
    for (const v1::TextSpan& span : sample.varying()) {
      varying.push_back(
          sample.text().substr(span.begin(), span.end() - span.begin()));
    }
  }
  EXPECT_THAT(varying, ::testing::UnorderedElementsAre("0911111111", "đi"));

  // Viewers see no posts; ingest clients decide nothing.
  grpc::ClientContext viewer_context;
  As("dash", &viewer_context);
  EXPECT_EQ(
      server.review->ListClusters(&viewer_context, {}, &clusters).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::DecideClusterRequest decide;
  decide.set_cluster_id(cluster.cluster_id());
  decide.set_decision(v1::DECISION_DISMISSED);
  decide.set_reason("đùa giữa bạn bè");
  v1::DecideClusterResponse decided;
  grpc::ClientContext ingest_context;
  As("pipeline", &ingest_context);
  EXPECT_EQ(server.review->DecideCluster(&ingest_context, decide, &decided)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // analyst1 holds one copy; analyst0 decides the rest at once.
  grpc::ClientContext get_context;
  As("analyst0", &get_context);
  v1::GetClusterRequest get;
  get.set_cluster_id(cluster.cluster_id());
  v1::GetClusterResponse got;
  ASSERT_TRUE(server.review->GetCluster(&get_context, get, &got).ok());
  ASSERT_EQ(got.items_size(), 4);
  grpc::ClientContext claim_context;
  As("analyst1", &claim_context);
  v1::ClaimRequest claim;
  claim.set_item_id(got.items(0).item_id());
  v1::ReviewItem claimed;
  ASSERT_TRUE(server.review->Claim(&claim_context, claim, &claimed).ok());
  grpc::ClientContext decide_context;
  As("analyst0", &decide_context);
  ASSERT_TRUE(
      server.review->DecideCluster(&decide_context, decide, &decided).ok());
  EXPECT_EQ(decided.decided_size(), 3);
  ASSERT_EQ(decided.skipped_size(), 1);
  EXPECT_EQ(decided.skipped(0).claimed_by(), "analyst1");
  EXPECT_EQ(decided.cluster().open_count(), 0);
  grpc::ClientContext history_context;
  As("analyst1", &history_context);
  v1::GetHistoryRequest history_request;
  history_request.set_item_id(decided.decided(0));
  v1::GetHistoryResponse history;
  ASSERT_TRUE(
      server.review->GetHistory(&history_context, history_request, &history)
          .ok());
  const v1::ReviewEvent& last = history.events(history.events_size() - 1);
  EXPECT_EQ(last.kind(), v1::EVENT_KIND_DECIDED);
  EXPECT_EQ(last.actor(), "analyst0");
  EXPECT_EQ(last.cluster_id(), cluster.cluster_id());

  // Dashboards see the campaigns in the summary and in the metrics.
  grpc::ClientContext summary_context;
  As("dash", &summary_context);
  v1::GetSummaryResponse summary;
  ASSERT_TRUE(server.stats->GetSummary(&summary_context, {}, &summary).ok());
  EXPECT_EQ(summary.campaigns().clusters(), 1);
  EXPECT_EQ(summary.campaigns().largest(), 4);
  ASSERT_EQ(summary.campaigns().top_by_size_size(), 1);
  EXPECT_EQ(summary.campaigns().top_by_size(0).size(), 4);
  ASSERT_EQ(summary.campaigns().top_by_growth_size(), 1);
  EXPECT_EQ(summary.campaigns().top_by_growth(0).growth(), 4);
  const std::string metrics =
      vigil::testing::HttpGet(server.metrics_port(), "/metrics");
  EXPECT_THAT(metrics, ::testing::HasSubstr("vigil_clusters 1"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("vigil_cluster_largest_items 4"));
}

TEST_P(ReviewServiceTest, CampaignsCanBeTurnedOff) {
  Instance server(db_->url(), tokens_, /*sample_rate=*/0,
                  /*campaigns=*/false);
  ASSERT_TRUE(server.ok());
  Ingest(server,
         {"thằng admin trang này đúng là đồ óc chó, gọi 0912345678 mà xem",
          "thằng admin trang này đúng là đồ óc chó, gọi 0987654321 mà xem"});
  grpc::ClientContext context;
  As("analyst0", &context);
  v1::ListClustersResponse clusters;
  ASSERT_TRUE(server.review->ListClusters(&context, {}, &clusters).ok());
  EXPECT_EQ(clusters.clusters_size(), 0);
  grpc::ClientContext queue_context;
  As("analyst0", &queue_context);
  v1::ListQueueResponse queue;
  ASSERT_TRUE(server.review->ListQueue(&queue_context, {}, &queue).ok());
  EXPECT_EQ(queue.items_size(), 2);  // flagged and stored all the same
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

// The quality sample: two instances sharing the store, with the same key,
// sample exactly the unflagged posts the keyed hash picks, each once,
// whichever instance saw them; analysts label them and the estimates count
// the labels.
TEST_P(ReviewServiceTest, TwoInstancesSampleTheSamePosts) {
  constexpr double kRate = 0.3;
  Instance a(db_->url(), tokens_, kRate);
  Instance b(db_->url(), tokens_, kRate);
  ASSERT_TRUE(a.ok() && b.ok());
  constexpr int kPosts = 300;
  std::vector<std::string> texts;
  for (int i = 0; i < kPosts; ++i) {
    texts.push_back(i % 10 == 0 ? "đồ óc chó" : "hôm nay trời đẹp");
  }
  // Both instances see every post (a pipeline that retried on the other).
  Ingest(a, texts);
  Ingest(b, texts);
  const Sampler sampler(kRate, "shared secret");
  std::vector<std::string> expected;
  for (int i = 0; i < kPosts; ++i) {
    if (i % 10 != 0 && sampler.Sampled("fb", std::to_string(i))) {
      expected.push_back(std::to_string(i));
    }
  }
  ASSERT_GT(expected.size(), 40u);
  std::vector<std::string> got;
  int64_t first_item = 0;
  grpc::ClientContext context;
  As("analyst0", &context);
  v1::ListQueueRequest list;
  list.mutable_filter()->set_queue(v1::QUEUE_SAMPLE);
  list.set_page_size(500);
  v1::ListQueueResponse page;
  ASSERT_TRUE(a.review->ListQueue(&context, list, &page).ok());
  for (const v1::ReviewItem& item : page.items()) {
    got.push_back(item.post().id());
    EXPECT_EQ(item.times_flagged(), 1) << item.post().id();
    first_item = item.item_id();
  }
  std::sort(got.begin(), got.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(got, expected);
  // A dry run is never sampled.
  {
    grpc::ClientContext dry;
    As("pipeline", &dry);
    v1::AnalyzeBatchRequest request;
    request.set_dry_run(true);
    for (int i = kPosts; i < kPosts + 100; ++i) {
      v1::Post* post = request.add_posts();
      post->set_source("fb");
      post->set_id(std::to_string(i));
      post->set_text("hôm nay trời đẹp");
    }
    v1::AnalyzeBatchResponse response;
    ASSERT_TRUE(a.analysis->AnalyzeBatch(&dry, request, &response).ok());
    grpc::ClientContext again;
    As("analyst0", &again);
    ASSERT_TRUE(b.review->ListQueue(&again, list, &page).ok());
    EXPECT_EQ(page.items_size(), static_cast<int>(expected.size()));
  }
  // An analyst labels one harmful; the estimates count it.
  {
    grpc::ClientContext claim_context;
    As("analyst1", &claim_context);
    v1::ClaimRequest claim;
    claim.set_item_id(first_item);
    v1::ReviewItem item;
    ASSERT_TRUE(b.review->Claim(&claim_context, claim, &item).ok());
    grpc::ClientContext decide_context;
    As("analyst1", &decide_context);
    v1::DecideRequest decide;
    decide.set_item_id(first_item);
    decide.set_decision(v1::DECISION_ACTIONED);
    decide.add_categories("insult");
    ASSERT_TRUE(b.review->Decide(&decide_context, decide, &item).ok());
    EXPECT_THAT(item.decided_categories(), ::testing::ElementsAre("insult"));
    grpc::ClientContext stats_context;
    As("dash", &stats_context);
    v1::GetSampleEstimatesResponse estimates;
    ASSERT_TRUE(
        a.stats->GetSampleEstimates(&stats_context, {}, &estimates).ok());
    EXPECT_EQ(estimates.sampled(), static_cast<int64_t>(expected.size()));
    EXPECT_EQ(estimates.labeled(), 1);
    EXPECT_EQ(estimates.labeled_harmful(), 1);
  }
}

// The rate over 100,000 posts sent through the service: the sample holds
// exactly the posts the keyed hash picks, and their count is within 5
// standard deviations of rate * posts.
TEST_P(ReviewServiceTest, SampleRateIsHonouredOverManyPosts) {
  constexpr double kRate = 0.01;
  constexpr int kPosts = 100000, kBatch = 1000;
  Instance a(db_->url(), tokens_, kRate);
  ASSERT_TRUE(a.ok());
  const Sampler sampler(kRate, "shared secret");
  int64_t expected = 0;
  for (int start = 0; start < kPosts; start += kBatch) {
    grpc::ClientContext context;
    As("pipeline", &context);
    v1::AnalyzeBatchRequest request;
    for (int i = start; i < start + kBatch; ++i) {
      v1::Post* post = request.add_posts();
      post->set_source("feed");
      post->set_id("p" + std::to_string(i));
      post->set_text("hôm nay trời đẹp");
      expected += sampler.Sampled("feed", post->id());
    }
    v1::AnalyzeBatchResponse response;
    ASSERT_TRUE(a.analysis->AnalyzeBatch(&context, request, &response).ok());
  }
  grpc::ClientContext context;
  As("dash", &context);
  v1::GetSampleEstimatesResponse estimates;
  ASSERT_TRUE(a.stats->GetSampleEstimates(&context, {}, &estimates).ok());
  EXPECT_EQ(estimates.sampled(), expected);
  EXPECT_EQ(estimates.unflagged(), kPosts);
  const double sd = std::sqrt(kPosts * kRate * (1 - kRate));
  EXPECT_NEAR(static_cast<double>(estimates.sampled()), kPosts * kRate, 5 * sd);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReviewServiceTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vigil::service
