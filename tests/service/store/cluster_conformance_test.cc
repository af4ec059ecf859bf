// Campaigns in the store, on every backend (SQLite and PostgreSQL): how new
// flagged items join clusters, how clusters are listed and read, and how a
// whole cluster is decided (review.proto, Cluster; flag_store.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "analyzers/cluster/fingerprint.h"
#include "analyzers/normalize/normalizer.h"
#include "service/store/sql_flag_store.h"
#include "tests/service/store/test_database.h"
#include "tests/test_data.h"

namespace vigil::service {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr int64_t kSecond = 1000000;
constexpr int64_t kHour = 3600 * kSecond;
// On an hour's start, so tests know which hour each flag falls in.
constexpr int64_t kStart = 472222 * kHour;

// Copies of one scam: another amount, phone number or link each time.
std::string Scam(int i) {
  return "Chúc mừng bạn đã trúng thưởng " + std::to_string(i + 1) +
         ".000.000đ, gọi ngay 09" + std::to_string(10000000 + i) +
         " hoặc truy cập bit.ly/qua" + std::to_string(i) +
         " để nhận quà trước 23h hôm nay";
}

// Copies of one harassment post, with and without diacritics.
std::string Harassment(int i) {
  return i % 2 ? "thang kia may la do ngu het thuoc chua, cut khoi nhom nay di"
               : "thằng kia mày là đồ ngu hết thuốc chữa, cút khỏi nhóm này đi";
}

class ClusterConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    normalize::Normalizer::Options options;
    options.teencode_path = vigil::testing::SourcePath("lexicons/teencode.tsv");
    auto n = normalize::Normalizer::Create(options);
    ASSERT_TRUE(n.ok()) << n.status();
    normalizer_ = n->release();
  }
  static void TearDownTestSuite() { delete normalizer_; }

  void SetUp() override {
    std::string skip;
    db_ = testing::TestDatabase::Create(GetParam(), &skip);
    if (db_ == nullptr) GTEST_SKIP() << skip;
    store_ = OpenStore();
  }

  std::unique_ptr<SqlFlagStore> OpenStore() {
    SqlFlagStore::Options options;
    options.connect = db_->connect();
    options.now = [this] { return now_.load(); };
    auto store = SqlFlagStore::Open(std::move(options));
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  // A flagged post with its fingerprint, as the analysis service stores it.
  static FlaggedPost Post(const std::string& source, const std::string& id,
                          const std::string& text,
                          const std::string& category = "scam") {
    FlaggedPost p;
    p.post.set_source(source);
    p.post.set_id(id);
    p.post.set_text(text);
    p.verdict.set_flagged(true);
    p.verdict.set_lexicon_version("test-1");
    p.verdict.add_flagged_categories(category);
    (*p.verdict.mutable_scores())[category] = 0.9;
    p.fingerprint = cluster::Fingerprint::Of(normalizer_->Normalize(text));
    return p;
  }

  void Record(std::vector<FlaggedPost> posts, SqlFlagStore* store = nullptr) {
    absl::Status s = (store ? store : store_.get())->RecordFlagged(posts);
    ASSERT_TRUE(s.ok()) << s;
  }

  int64_t ClusterOf(const std::string& source, const std::string& id) {
    v1::ListQueueRequest request;
    request.mutable_filter()->set_source(source);
    request.set_page_size(500);
    auto page = store_->ListQueue(request);
    EXPECT_TRUE(page.ok()) << page.status();
    for (const auto& item : page->items()) {
      if (item.post().id() == id) return item.cluster_id();
    }
    ADD_FAILURE() << "no item " << source << "/" << id;
    return -1;
  }

  std::vector<v1::Cluster> List(v1::ListClustersRequest request = {}) {
    auto r = store_->ListClusters(request);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::vector<v1::Cluster>(r->clusters().begin(),
                                             r->clusters().end())
                  : std::vector<v1::Cluster>();
  }

  static std::vector<int64_t> Sizes(const std::vector<v1::Cluster>& cs) {
    std::vector<int64_t> sizes;
    for (const auto& c : cs) sizes.push_back(c.size());
    return sizes;
  }

  static const normalize::Normalizer* normalizer_;
  std::atomic<int64_t> now_{kStart};
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<SqlFlagStore> store_;
};

const normalize::Normalizer* ClusterConformanceTest::normalizer_ = nullptr;

TEST_P(ClusterConformanceTest, NearDuplicatesJoinOneClusterOthersNone) {
  Record({Post("fb", "s0", Scam(0))});
  EXPECT_EQ(ClusterOf("fb", "s0"), 0);  // alone: no cluster yet
  EXPECT_THAT(List(), IsEmpty());
  now_ += 10 * kSecond;
  Record({Post("fb", "s1", Scam(1))});
  now_ += 10 * kSecond;
  Record({Post("zalo", "s2", Scam(2), "spam"),
          Post("fb", "other",
               "Hôm nay trời mưa to quá, cả nhà nhớ mang áo "
               "mưa khi đi làm nhé",
               "insult"),
          Post("fb", "short", "đồ lừa đảo")});
  const int64_t id = ClusterOf("fb", "s0");
  EXPECT_NE(id, 0);
  EXPECT_EQ(ClusterOf("fb", "s1"), id);
  EXPECT_EQ(ClusterOf("zalo", "s2"), id);
  EXPECT_EQ(ClusterOf("fb", "other"), 0);
  EXPECT_EQ(ClusterOf("fb", "short"), 0);  // too short for a fingerprint

  const std::vector<v1::Cluster> clusters = List();
  ASSERT_EQ(clusters.size(), 1u);
  const v1::Cluster& c = clusters[0];
  EXPECT_EQ(c.cluster_id(), id);
  EXPECT_EQ(c.size(), 3);
  EXPECT_EQ(c.open_count(), 3);
  EXPECT_THAT(c.categories(), ElementsAre("scam", "spam"));
  ASSERT_EQ(c.sources_size(), 2);
  EXPECT_EQ(c.sources(0).source(), "fb");
  EXPECT_EQ(c.sources(0).items(), 2);
  EXPECT_EQ(c.sources(1).source(), "zalo");
  EXPECT_EQ(c.first_seen().seconds(), kStart / kSecond);
  EXPECT_EQ(c.last_seen().seconds(), kStart / kSecond + 20);
  EXPECT_EQ(c.growth(), 3);
  ASSERT_EQ(c.hourly_size(), 24);
  EXPECT_EQ(c.hourly(23), 3);
  EXPECT_EQ(c.hourly(22), 0);
  // Samples: the first item, then the latest; texts as posted.
  ASSERT_EQ(c.samples_size(), 3);
  EXPECT_EQ(c.samples(0).text(), Scam(0));
  EXPECT_EQ(c.samples(2).text(), Scam(2));
}

TEST_P(ClusterConformanceTest, OneBatchMakesOneCluster) {
  std::vector<FlaggedPost> posts;
  for (int i = 0; i < 6; ++i) {
    posts.push_back(Post("fb", "s" + std::to_string(i), Scam(i)));
    posts.push_back(
        Post("fb", "h" + std::to_string(i), Harassment(i), "insult"));
  }
  Record(posts);
  EXPECT_THAT(Sizes(List()), ElementsAre(6, 6));
  EXPECT_NE(ClusterOf("fb", "s0"), ClusterOf("fb", "h0"));
}

// Clusters as sets of post ids, in a canonical order.
std::vector<std::vector<std::string>> Partition(SqlFlagStore& store) {
  v1::ListQueueRequest request;
  request.set_page_size(500);
  auto page = store.ListQueue(request);
  EXPECT_TRUE(page.ok()) << page.status();
  std::map<int64_t, std::vector<std::string>> by_cluster;
  for (const auto& item : page->items()) {
    if (item.cluster_id() != 0) {
      by_cluster[item.cluster_id()].push_back(item.post().id());
    }
  }
  std::vector<std::vector<std::string>> partition;
  for (auto& [id, ids] : by_cluster) {
    std::sort(ids.begin(), ids.end());
    partition.push_back(ids);
  }
  std::sort(partition.begin(), partition.end());
  return partition;
}

TEST_P(ClusterConformanceTest, ABatchIsPlacedAsItsPostsOneAtATime) {
  // Exact copies, near copies, two campaigns and posts like nothing else,
  // some stored before the batch: placing the batch at once must give what
  // storing its posts one by one gives, sizes included.
  std::vector<FlaggedPost> before, batch;
  before.push_back(Post("fb", "a-s0", Scam(0)));
  before.push_back(Post("fb", "a-h0", Harassment(0), "insult"));
  for (int i = 1; i < 30; ++i) {
    batch.push_back(Post("fb", "b-s" + std::to_string(i), Scam(i % 4)));
    batch.push_back(
        Post("fb", "b-h" + std::to_string(i), Harassment(i), "insult"));
  }
  batch.push_back(Post("fb", "b-o1",
                       "Hôm nay trời mưa to quá, cả nhà nhớ mang áo mưa khi "
                       "đi làm nhé",
                       "spam"));
  batch.push_back(Post("fb", "b-o2",
                       "Quán phở đầu ngõ mới mở bán buổi tối, nước dùng "
                       "ngon lắm mọi người ạ",
                       "spam"));
  Record(before);
  Record(batch);
  std::string skip;
  auto other_db = testing::TestDatabase::Create(GetParam(), &skip);
  ASSERT_NE(other_db, nullptr) << skip;
  SqlFlagStore::Options options;
  options.connect = other_db->connect();
  options.now = [this] { return now_.load(); };
  auto one_by_one = SqlFlagStore::Open(std::move(options));
  ASSERT_TRUE(one_by_one.ok()) << one_by_one.status();
  Record(before, one_by_one->get());
  // RecordFlagged stores a batch in (source, id) order; so must this.
  std::vector<FlaggedPost> sorted = batch;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.post.id() < b.post.id();
  });
  for (const FlaggedPost& p : sorted) Record({p}, one_by_one->get());

  const auto partition = Partition(*store_);
  EXPECT_EQ(partition, Partition(**one_by_one));
  ASSERT_EQ(partition.size(), 2u);
  EXPECT_EQ(partition[0].size() + partition[1].size(), 60u);
  // The clusters' running counts agree with their members.
  EXPECT_THAT(Sizes(List()), ElementsAre(30, 30));
  auto counts = store_->CountClusters();
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->clustered_items, 60);
  // A near copy after many exact ones (which stored no band keys of their
  // own) still finds the campaign.
  Record({Post("fb", "c-h", Harassment(0) + " nhé")});
  EXPECT_EQ(ClusterOf("fb", "c-h"), ClusterOf("fb", "a-h0"));
  EXPECT_THAT(Sizes(List()), ElementsAre(31, 30));
}

TEST_P(ClusterConformanceTest, ReflagsKeepTheirClusterPostsWithoutNone) {
  Record({Post("fb", "s0", Scam(0)), Post("fb", "s1", Scam(1))});
  const int64_t id = ClusterOf("fb", "s0");
  ASSERT_NE(id, 0);
  Record({Post("fb", "s0", "một bài hoàn toàn khác, không giống gì cả")});
  EXPECT_EQ(ClusterOf("fb", "s0"), id);
  EXPECT_THAT(Sizes(List()), ElementsAre(2));
  FlaggedPost bare = Post("fb", "s2", Scam(2));
  bare.fingerprint.reset();
  Record({bare});
  EXPECT_EQ(ClusterOf("fb", "s2"), 0);
  auto counts = store_->CountClusters();
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->clusters, 1);
  EXPECT_EQ(counts->largest, 2);
  EXPECT_EQ(counts->clustered_items, 2);
}

TEST_P(ClusterConformanceTest, ListFiltersOrdersAndPages) {
  // Scams: four items three hours ago. Harassment: two items now.
  for (int i = 0; i < 4; ++i) {
    Record({Post("fb", "s" + std::to_string(i), Scam(i))});
  }
  now_ += 3 * kHour;
  Record({Post("tiktok", "h0", Harassment(0), "insult")});
  Record({Post("tiktok", "h1", Harassment(1), "insult")});
  const int64_t scams = ClusterOf("fb", "s0");
  const int64_t harassment = ClusterOf("tiktok", "h0");

  auto ids = [](const std::vector<v1::Cluster>& cs) {
    std::vector<int64_t> out;
    for (const auto& c : cs) out.push_back(c.cluster_id());
    return out;
  };
  v1::ListClustersRequest r;
  EXPECT_THAT(ids(List(r)), ElementsAre(scams, harassment));
  r.set_order(v1::CLUSTER_ORDER_GROWTH);
  const auto by_growth = List(r);
  EXPECT_THAT(ids(by_growth), ElementsAre(harassment, scams));
  EXPECT_EQ(by_growth[0].growth(), 2);
  EXPECT_EQ(by_growth[1].growth(), 0);
  r.set_order(v1::CLUSTER_ORDER_RECENT);
  EXPECT_THAT(ids(List(r)), ElementsAre(harassment, scams));

  v1::ListClustersRequest filtered;
  filtered.mutable_filter()->add_categories("insult");
  EXPECT_THAT(ids(List(filtered)), ElementsAre(harassment));
  filtered.Clear();
  filtered.mutable_filter()->set_source("fb");
  EXPECT_THAT(ids(List(filtered)), ElementsAre(scams));
  filtered.Clear();
  filtered.mutable_filter()->set_min_size(3);
  EXPECT_THAT(ids(List(filtered)), ElementsAre(scams));
  filtered.Clear();
  filtered.mutable_filter()->mutable_seen_after()->set_seconds(
      (kStart + kHour) / kSecond);
  EXPECT_THAT(ids(List(filtered)), ElementsAre(harassment));

  // One per page.
  v1::ListClustersRequest paged;
  paged.set_page_size(1);
  auto first = store_->ListClusters(paged);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->clusters_size(), 1);
  ASSERT_FALSE(first->next_page_token().empty());
  paged.set_page_token(first->next_page_token());
  auto second = store_->ListClusters(paged);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->clusters(0).cluster_id(), harassment);
  EXPECT_TRUE(second->next_page_token().empty());

  // Bad requests.
  v1::ListClustersRequest bad;
  bad.set_page_token("nonsense");
  EXPECT_EQ(store_->ListClusters(bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad.set_page_token(first->next_page_token());
  bad.set_order(v1::CLUSTER_ORDER_GROWTH);  // a token of another order
  EXPECT_EQ(store_->ListClusters(bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad.Clear();
  bad.mutable_filter()->add_categories("politics");
  EXPECT_EQ(store_->ListClusters(bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad.Clear();
  bad.set_page_size(1000);
  EXPECT_EQ(store_->ListClusters(bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ClusterConformanceTest, GetClusterReturnsItsItemsNewestFirst) {
  for (int i = 0; i < 5; ++i) {
    Record({Post("fb", "s" + std::to_string(i), Scam(i))});
    now_ += kSecond;
  }
  const int64_t id = ClusterOf("fb", "s0");
  v1::GetClusterRequest get;
  get.set_cluster_id(id);
  get.set_max_items(3);
  get.set_samples(2);
  auto got = store_->GetCluster(get);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->cluster().size(), 5);
  std::vector<std::string> ids;
  for (const auto& item : got->items()) {
    ids.push_back(item.post().id());
    EXPECT_EQ(item.cluster_id(), id);
  }
  EXPECT_THAT(ids, ElementsAre("s4", "s3", "s2"));
  ASSERT_EQ(got->cluster().samples_size(), 2);
  EXPECT_EQ(got->cluster().samples(0).text(), Scam(0));
  EXPECT_EQ(got->cluster().samples(1).text(), Scam(4));
  get.set_cluster_id(id + 1000);
  EXPECT_EQ(store_->GetCluster(get).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(ClusterConformanceTest, DecideClusterSkipsWhatOthersHold) {
  for (int i = 0; i < 6; ++i) {
    Record({Post("fb", "s" + std::to_string(i), Scam(i))});
  }
  const int64_t id = ClusterOf("fb", "s0");
  v1::ListQueueRequest all;
  all.set_order(v1::QUEUE_ORDER_TIME);
  auto page = store_->ListQueue(all);
  ASSERT_EQ(page->items_size(), 6);
  std::map<std::string, int64_t> item;
  for (const auto& i : page->items()) item[i.post().id()] = i.item_id();
  auto claim = [&](const std::string& post, const std::string& who,
                   int lease_seconds = 300) {
    v1::ClaimRequest c;
    c.set_item_id(item[post]);
    c.set_lease_seconds(lease_seconds);
    ASSERT_TRUE(store_->Claim(c, who).ok());
  };
  claim("s0", "bob");        // someone else's: skipped
  claim("s1", "alice");      // the caller's own: decided
  claim("s2", "carol", 10);  // a lease that runs out: decided
  claim("s3", "carol");
  v1::DecideRequest dismiss;  // decided already: left alone
  dismiss.set_item_id(item["s3"]);
  dismiss.set_decision(v1::DECISION_DISMISSED);
  ASSERT_TRUE(store_->Decide(dismiss, "carol", "test-1").ok());
  now_ += 60 * kSecond;

  v1::DecideClusterRequest request;
  request.set_cluster_id(id);
  request.set_decision(v1::DECISION_ACTIONED);
  request.set_reason("one scam campaign");
  request.add_categories("scam");
  auto decided = store_->DecideCluster(request, "alice", "test-2");
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_THAT(decided->decided(), UnorderedElementsAre(item["s1"], item["s2"],
                                                       item["s4"], item["s5"]));
  ASSERT_EQ(decided->skipped_size(), 1);
  EXPECT_EQ(decided->skipped(0).item_id(), item["s0"]);
  EXPECT_EQ(decided->skipped(0).claimed_by(), "bob");
  EXPECT_EQ(decided->not_open(), 1);
  EXPECT_EQ(decided->cluster().open_count(), 0);

  auto s4 = store_->GetItem(item["s4"]);
  EXPECT_EQ(s4->status(), v1::ITEM_STATUS_ACTIONED);
  EXPECT_EQ(s4->decided_by(), "alice");
  EXPECT_EQ(s4->decision_reason(), "one scam campaign");
  EXPECT_THAT(s4->decided_categories(), ElementsAre("scam"));
  auto history = store_->GetHistory(item["s4"]);
  ASSERT_TRUE(history.ok());
  const v1::ReviewEvent& last = history->events(history->events_size() - 1);
  EXPECT_EQ(last.kind(), v1::EVENT_KIND_DECIDED);
  EXPECT_EQ(last.cluster_id(), id);
  EXPECT_EQ(last.lexicon_version(), "test-2");
  // The expired lease is logged before the decision.
  auto s2 = store_->GetHistory(item["s2"]);
  std::vector<std::string> actors;
  for (const auto& e : s2->events()) actors.push_back(e.actor());
  EXPECT_THAT(actors,
              ElementsAre("analyzer", "carol", "lease-expired", "alice"));
  EXPECT_EQ(store_->GetItem(item["s0"])->claimed_by(), "bob");
  EXPECT_EQ(store_->GetItem(item["s3"])->status(), v1::ITEM_STATUS_DISMISSED);
}

TEST_P(ClusterConformanceTest, DecideClusterRefusalsChangeNothing) {
  Record({Post("fb", "s0", Scam(0)), Post("fb", "s1", Scam(1))});
  const int64_t id = ClusterOf("fb", "s0");
  v1::DecideClusterRequest request;
  request.set_cluster_id(id);
  request.set_decision(v1::DECISION_ACTIONED);
  request.add_categories("politics");
  EXPECT_EQ(store_->DecideCluster(request, "alice", "v").status().code(),
            absl::StatusCode::kInvalidArgument);
  request.clear_categories();
  request.set_decision(v1::DECISION_UNSPECIFIED);
  EXPECT_EQ(store_->DecideCluster(request, "alice", "v").status().code(),
            absl::StatusCode::kInvalidArgument);
  request.set_decision(v1::DECISION_DISMISSED);
  request.set_cluster_id(id + 1000);
  EXPECT_EQ(store_->DecideCluster(request, "alice", "v").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(List()[0].open_count(), 2);
}

TEST_P(ClusterConformanceTest, TwoInstancesRacingOnOneCampaignMakeOneCluster) {
  // Two stores on one database stand for two service instances, each
  // seeing half of a campaign's first posts at the same moment.
  std::unique_ptr<SqlFlagStore> other = OpenStore();
  ASSERT_NE(other, nullptr);
  // Five campaigns, one after another; each one's first posts race.
  const std::string kCampaigns[] = {
      "Tuyển cộng tác viên làm việc tại nhà, lương {} mỗi ngày, liên hệ zalo "
      "ngay hôm nay",
      "Vay tiền nhanh không cần thế chấp, giải ngân {} trong ngày, gọi tư vấn "
      "miễn phí",
      "Nhóm kín chia sẻ kèo bóng đá chắc thắng {} phần trăm, vào nhóm nhận "
      "quà ngay",
      "Bán tài khoản game giá rẻ chỉ {} đồng, giao dịch nhanh uy tín hàng đầu",
      "Đầu tư tiền ảo lãi {} mỗi tháng, cam kết hoàn vốn, đăng ký tại đây",
  };
  constexpr int kPerInstance = 20;
  for (int round = 0; round < 5; ++round) {
    std::atomic<int> ready{0};
    std::vector<std::thread> instances;
    for (int s = 0; s < 2; ++s) {
      SqlFlagStore* store = s == 0 ? store_.get() : other.get();
      instances.emplace_back([&, store, s] {
        ++ready;
        while (ready.load() < 2) std::this_thread::yield();
        for (int i = 0; i < kPerInstance; ++i) {
          const int n = (round * 2 + s) * kPerInstance + i;
          std::string text = kCampaigns[round];
          text.replace(text.find("{}"), 2, std::to_string(100 + n));
          FlaggedPost p = Post("fb", "r" + std::to_string(n), text);
          EXPECT_TRUE(store->RecordFlagged({&p, 1}).ok());
        }
      });
    }
    for (auto& t : instances) t.join();
    const std::vector<int64_t> want(round + 1, 2 * kPerInstance);
    EXPECT_EQ(Sizes(List()), want) << "after campaign " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ClusterConformanceTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vigil::service
