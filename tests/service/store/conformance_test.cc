// One suite, run against every backend (SQLite and PostgreSQL): what the
// review store promises in flag_store.h and review.proto.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <set>
#include <thread>

#include "analyzers/match/category.h"
#include "service/store/schema.h"
#include "service/store/sql_flag_store.h"
#include "tests/service/store/test_database.h"

namespace vigil::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kSecond = 1000000;
constexpr int64_t kStart = 1'700'000'000 * kSecond;

FlaggedPost Flagged(const std::string& source, const std::string& id,
                    const std::string& text, double score,
                    std::vector<std::string> categories = {"insult"}) {
  FlaggedPost p;
  p.post.set_source(source);
  p.post.set_id(id);
  p.post.set_text(text);
  (*p.post.mutable_metadata())["lang"] = "vi";
  p.verdict.set_flagged(true);
  p.verdict.set_lexicon_version("test-1");
  for (const std::string& c : categories) {
    p.verdict.add_flagged_categories(c);
    (*p.verdict.mutable_scores())[c] = score;
  }
  v1::Hit* hit = p.verdict.add_hits();
  hit->set_category(categories.empty() ? "insult" : categories[0]);
  hit->set_term("óc chó");
  hit->set_begin(0);
  hit->set_end(7);
  return p;
}

FlaggedPost Sampled(const std::string& source, const std::string& id,
                    const std::string& text) {
  FlaggedPost p;
  p.post.set_source(source);
  p.post.set_id(id);
  p.post.set_text(text);
  p.verdict.set_lexicon_version("test-1");
  (*p.verdict.mutable_scores())["insult"] = 0.1;
  p.sampled = true;
  return p;
}

class StoreConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
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

  void Record(std::vector<FlaggedPost> posts) {
    ASSERT_TRUE(store_->RecordFlagged(posts).ok());
  }

  // Item ids of a query, over every page.
  std::vector<int64_t> Ids(v1::ListQueueRequest request) {
    std::vector<int64_t> ids;
    while (true) {
      auto page = store_->ListQueue(request);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const auto& item : page->items()) ids.push_back(item.item_id());
      if (page->next_page_token().empty()) break;
      request.set_page_token(page->next_page_token());
    }
    return ids;
  }

  int64_t IdOf(const std::string& source, const std::string& id) {
    v1::ListQueueRequest request;
    request.mutable_filter()->set_source(source);
    while (true) {
      auto page = store_->ListQueue(request);
      if (!page.ok()) break;
      for (const auto& item : page->items()) {
        if (item.post().id() == id) return item.item_id();
      }
      if (page->next_page_token().empty()) break;
      request.set_page_token(page->next_page_token());
    }
    ADD_FAILURE() << "no item " << source << "/" << id;
    return -1;
  }

  std::vector<v1::EventKind> Kinds(int64_t item_id) {
    std::vector<v1::EventKind> kinds;
    auto history = store_->GetHistory(item_id);
    EXPECT_TRUE(history.ok()) << history.status();
    if (history.ok()) {
      for (const auto& e : history->events()) kinds.push_back(e.kind());
    }
    return kinds;
  }

  v1::ReviewItem Claim(int64_t item_id, const std::string& who) {
    v1::ClaimRequest request;
    request.set_item_id(item_id);
    auto item = store_->Claim(request, who);
    EXPECT_TRUE(item.ok()) << item.status();
    return item.ok() ? *item : v1::ReviewItem();
  }

  absl::Status Decide(int64_t item_id, const std::string& who,
                      v1::Decision decision) {
    v1::DecideRequest request;
    request.set_item_id(item_id);
    request.set_decision(decision);
    request.set_reason("because");
    return store_->Decide(request, who, "test-2").status();
  }

  std::atomic<int64_t> now_{kStart};
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<SqlFlagStore> store_;
};

TEST_P(StoreConformanceTest, KeepsTextVerdictSpansAndLexiconVersion) {
  Record({Flagged("fb", "1", "óc chó thật", 0.9)});
  const int64_t id = IdOf("fb", "1");
  auto item = store_->GetItem(id);
  ASSERT_TRUE(item.ok()) << item.status();
  EXPECT_EQ(item->post().text(), "óc chó thật");
  EXPECT_EQ(item->post().metadata().at("lang"), "vi");
  EXPECT_EQ(item->verdict().lexicon_version(), "test-1");
  ASSERT_EQ(item->verdict().hits_size(), 1);
  EXPECT_EQ(item->verdict().hits(0).term(), "óc chó");
  EXPECT_EQ(item->verdict().hits(0).end(), 7u);
  EXPECT_EQ(item->status(), v1::ITEM_STATUS_OPEN);
  EXPECT_DOUBLE_EQ(item->max_score(), 0.9);
  EXPECT_EQ(item->times_flagged(), 1);
  EXPECT_EQ(item->first_flagged_at().seconds(), kStart / kSecond);
  EXPECT_THAT(Kinds(id), ElementsAre(v1::EVENT_KIND_FLAGGED));
}

TEST_P(StoreConformanceTest, SameSourceAndIdIsOneItem) {
  Record({Flagged("fb", "1", "óc chó", 0.7)});
  now_ += 60 * kSecond;
  Record({Flagged("fb", "1", "óc chó lần hai", 0.8),
          Flagged("yt", "1", "óc chó", 0.7)});
  v1::ListQueueRequest all;
  EXPECT_EQ(Ids(all).size(), 2u);
  const int64_t id = IdOf("fb", "1");
  auto item = store_->GetItem(id);
  EXPECT_EQ(item->times_flagged(), 2);
  EXPECT_EQ(item->post().text(), "óc chó lần hai");
  EXPECT_EQ(item->first_flagged_at().seconds(), kStart / kSecond);
  EXPECT_EQ(item->last_flagged_at().seconds(), kStart / kSecond + 60);
  EXPECT_THAT(Kinds(id),
              ElementsAre(v1::EVENT_KIND_FLAGGED, v1::EVENT_KIND_REFLAGGED));
}

// One batch of 75 distinct posts (upserted 64, 8, 1, 1, 1 rows a
// statement), one of them three times (a statement cannot update a row
// twice), a sample in the middle and a post already stored: every item
// once, the repeats counted, the events in the batch's key order.
TEST_P(StoreConformanceTest, ALargeBatchWithRepeatedKeysIsEveryPostOnce) {
  Record({Flagged("fb", "040", "óc chó", 0.5)});
  const int64_t stored = IdOf("fb", "040");
  std::vector<FlaggedPost> batch;
  for (int i = 74; i >= 0; --i) {
    char id[8];
    std::snprintf(id, sizeof(id), "%03d", i);
    batch.push_back(Flagged("fb", id, "óc chó " + std::string(id), 0.6));
  }
  batch.push_back(Flagged("fb", "007", "óc chó lần hai", 0.8));
  batch.push_back(Flagged("fb", "007", "óc chó lần ba", 0.9));
  batch.push_back(Sampled("fb", "030a", "chào bạn"));
  Record(batch);
  v1::ListQueueRequest all;
  EXPECT_EQ(Ids(all).size(), 75u);
  const int64_t repeated = IdOf("fb", "007");
  auto item = store_->GetItem(repeated);
  ASSERT_TRUE(item.ok()) << item.status();
  EXPECT_EQ(item->times_flagged(), 3);
  EXPECT_EQ(item->post().text(), "óc chó lần ba");
  EXPECT_THAT(Kinds(repeated),
              ElementsAre(v1::EVENT_KIND_FLAGGED, v1::EVENT_KIND_REFLAGGED,
                          v1::EVENT_KIND_REFLAGGED));
  EXPECT_EQ(store_->GetItem(stored)->times_flagged(), 2);
  EXPECT_THAT(Kinds(stored),
              ElementsAre(v1::EVENT_KIND_FLAGGED, v1::EVENT_KIND_REFLAGGED));
  EXPECT_EQ(store_->GetItem(IdOf("fb", "074"))->post().text(), "óc chó 074");
  // Item ids follow the batch's key order, sample included.
  EXPECT_LT(IdOf("fb", "000"), IdOf("fb", "030"));
  EXPECT_LT(IdOf("fb", "030"), IdOf("fb", "074"));
}

TEST_P(StoreConformanceTest, ReflaggingKeepsTheDecision) {
  Record({Flagged("fb", "1", "óc chó", 0.7)});
  const int64_t id = IdOf("fb", "1");
  Claim(id, "alice");
  ASSERT_TRUE(Decide(id, "alice", v1::DECISION_DISMISSED).ok());
  Record({Flagged("fb", "1", "óc chó", 0.7)});
  EXPECT_EQ(store_->GetItem(id)->status(), v1::ITEM_STATUS_DISMISSED);
}

TEST_P(StoreConformanceTest, FiltersAndOrders) {
  Record({Flagged("fb", "a", "x", 0.95, {"insult"}),
          Flagged("fb", "b", "x", 0.70, {"threat"}),
          Flagged("yt", "c", "x", 0.80, {"insult", "hate"})});
  now_ += 3600 * kSecond;
  Record({Flagged("yt", "d", "x", 0.60, {"sexual"})});
  const int64_t a = IdOf("fb", "a"), b = IdOf("fb", "b"), c = IdOf("yt", "c"),
                d = IdOf("yt", "d");
  Claim(b, "alice");
  struct Case {
    std::string name;
    std::function<void(v1::ListQueueRequest*)> set;
    std::vector<int64_t> want;
  };
  const std::vector<Case> cases = {
      {"all by score", [](auto*) {}, {a, c, b, d}},
      {"all by time",
       [](auto* r) { r->set_order(v1::QUEUE_ORDER_TIME); },
       {d, c, b, a}},
      {"insult",
       [](auto* r) { r->mutable_filter()->add_categories("insult"); },
       {a, c}},
      {"hate or threat",
       [](auto* r) {
         r->mutable_filter()->add_categories("hate");
         r->mutable_filter()->add_categories("threat");
       },
       {c, b}},
      {"claimed",
       [](auto* r) {
         r->mutable_filter()->add_statuses(v1::ITEM_STATUS_CLAIMED);
       },
       {b}},
      {"open",
       [](auto* r) { r->mutable_filter()->add_statuses(v1::ITEM_STATUS_OPEN); },
       {a, c, d}},
      {"score range",
       [](auto* r) {
         r->mutable_filter()->set_min_score(0.7);
         r->mutable_filter()->set_max_score(0.8);
       },
       {c, b}},
      {"time range",
       [](auto* r) {
         r->mutable_filter()->mutable_flagged_after()->set_seconds(
             kStart / kSecond + 1);
       },
       {d}},
      {"before",
       [](auto* r) {
         r->mutable_filter()->mutable_flagged_before()->set_seconds(
             kStart / kSecond + 1);
       },
       {a, c, b}},
      {"source",
       [](auto* r) { r->mutable_filter()->set_source("yt"); },
       {c, d}},
  };
  for (const Case& test : cases) {
    for (int page_size : {0, 1, 2}) {
      v1::ListQueueRequest request;
      request.set_page_size(page_size);
      test.set(&request);
      EXPECT_EQ(Ids(request), test.want)
          << test.name << ", page size " << page_size;
    }
  }
  // Claimed items show who holds them until the lease ends.
  auto held = store_->GetItem(b);
  EXPECT_EQ(held->status(), v1::ITEM_STATUS_CLAIMED);
  EXPECT_EQ(held->claimed_by(), "alice");
}

TEST_P(StoreConformanceTest, BadRequestsAreInvalidArgument) {
  Record({Flagged("fb", "a", "x", 0.9), Flagged("fb", "b", "x", 0.8)});
  v1::ListQueueRequest request;
  request.mutable_filter()->add_categories("politics");
  auto unknown = store_->ListQueue(request);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("politics"));

  // Not base64; "s:1" (no item id); "s:abc:1" (no score).
  for (const std::string token : {"garbage!", "czox", "czphYmM6MQ=="}) {
    v1::ListQueueRequest bad;
    bad.set_page_token(token);
    EXPECT_EQ(store_->ListQueue(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << token;
  }
  // A score-order token used with time order is refused.
  v1::ListQueueRequest first;
  first.set_page_size(1);
  auto page = store_->ListQueue(first);
  ASSERT_FALSE(page->next_page_token().empty());
  v1::ListQueueRequest other;
  other.set_order(v1::QUEUE_ORDER_TIME);
  other.set_page_token(page->next_page_token());
  EXPECT_EQ(store_->ListQueue(other).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::ListQueueRequest negative;
  negative.set_page_size(-1);
  EXPECT_EQ(store_->ListQueue(negative).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ClaimsAreExclusiveLeases) {
  Record({Flagged("fb", "1", "x", 0.9)});
  const int64_t id = IdOf("fb", "1");
  v1::ReviewItem claimed = Claim(id, "alice");
  EXPECT_EQ(claimed.status(), v1::ITEM_STATUS_CLAIMED);
  EXPECT_EQ(claimed.claimed_by(), "alice");
  EXPECT_EQ(claimed.lease_expires_at().seconds(), kStart / kSecond + 300);

  v1::ClaimRequest request;
  request.set_item_id(id);
  auto bob = store_->Claim(request, "bob");
  EXPECT_EQ(bob.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(bob.status().message(), HasSubstr("alice"));
  EXPECT_EQ(Decide(id, "bob", v1::DECISION_ACTIONED).code(),
            absl::StatusCode::kFailedPrecondition);

  // The lease runs out: the item is open again, and bob may claim it.
  now_ += 301 * kSecond;
  EXPECT_EQ(store_->GetItem(id)->status(), v1::ITEM_STATUS_OPEN);
  EXPECT_EQ(Decide(id, "alice", v1::DECISION_ACTIONED).code(),
            absl::StatusCode::kFailedPrecondition);
  bob = store_->Claim(request, "bob");
  ASSERT_TRUE(bob.ok()) << bob.status();
  EXPECT_EQ(bob->claimed_by(), "bob");
  auto history = store_->GetHistory(id);
  ASSERT_EQ(history->events_size(), 4);
  EXPECT_EQ(history->events(2).kind(), v1::EVENT_KIND_RELEASED);
  EXPECT_EQ(history->events(2).actor(), "lease-expired");
  EXPECT_EQ(history->events(3).actor(), "bob");

  // Release gives it back; only the holder may.
  EXPECT_EQ(store_->Release(id, "alice").status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto released = store_->Release(id, "bob");
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released->status(), v1::ITEM_STATUS_OPEN);
  EXPECT_EQ(released->claimed_by(), "");
}

TEST_P(StoreConformanceTest, DecisionsAndReopening) {
  Record({Flagged("fb", "1", "x", 0.9)});
  const int64_t id = IdOf("fb", "1");
  EXPECT_EQ(Decide(id, "alice", v1::DECISION_ACTIONED).code(),
            absl::StatusCode::kFailedPrecondition);  // not claimed
  Claim(id, "alice");
  EXPECT_EQ(Decide(id, "alice", v1::DECISION_UNSPECIFIED).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(Decide(id, "alice", v1::DECISION_ESCALATED).ok());
  auto item = store_->GetItem(id);
  EXPECT_EQ(item->status(), v1::ITEM_STATUS_ESCALATED);
  // An escalated item goes to a senior reviewer.
  Claim(id, "senior");
  ASSERT_TRUE(Decide(id, "senior", v1::DECISION_ACTIONED).ok());
  item = store_->GetItem(id);
  EXPECT_EQ(item->status(), v1::ITEM_STATUS_ACTIONED);
  EXPECT_EQ(item->decision(), v1::DECISION_ACTIONED);
  EXPECT_EQ(item->decided_by(), "senior");
  EXPECT_EQ(item->decision_reason(), "because");
  EXPECT_EQ(item->claimed_by(), "");
  // Decided items cannot be claimed or decided again until reopened.
  v1::ClaimRequest claim;
  claim.set_item_id(id);
  EXPECT_EQ(store_->Claim(claim, "alice").status().code(),
            absl::StatusCode::kFailedPrecondition);
  v1::ReopenRequest reopen;
  reopen.set_item_id(id);
  reopen.set_reason("appeal");
  auto reopened = store_->Reopen(reopen, "lead");
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(reopened->status(), v1::ITEM_STATUS_OPEN);
  EXPECT_EQ(store_->Reopen(reopen, "lead").status().code(),
            absl::StatusCode::kFailedPrecondition);  // already open

  v1::CommentRequest comment;
  comment.set_item_id(id);
  comment.set_text("nhìn kỹ lại");
  auto commented = store_->Comment(comment, "alice");
  ASSERT_TRUE(commented.ok());
  EXPECT_EQ(commented->status_after(), v1::ITEM_STATUS_OPEN);
  comment.set_text("");
  EXPECT_EQ(store_->Comment(comment, "alice").status().code(),
            absl::StatusCode::kInvalidArgument);

  auto history = store_->GetHistory(id);
  ASSERT_TRUE(history.ok());
  std::vector<std::string> log;
  for (const auto& e : history->events()) {
    log.push_back(StatusName(e.status_after()).data() + std::string(" ") +
                  e.actor());
  }
  EXPECT_THAT(log, ElementsAre("open analyzer", "claimed alice",
                               "escalated alice", "claimed senior",
                               "actioned senior", "open lead", "open alice"));
  EXPECT_EQ(history->events(2).decision(), v1::DECISION_ESCALATED);
  EXPECT_EQ(history->events(4).lexicon_version(), "test-2");
  EXPECT_EQ(history->events(4).text(), "because");
  EXPECT_EQ(history->events(5).text(), "appeal");
  EXPECT_EQ(history->events(6).text(), "nhìn kỹ lại");
}

TEST_P(StoreConformanceTest, UnknownItemsAreNotFound) {
  v1::ClaimRequest claim;
  claim.set_item_id(424242);
  v1::DecideRequest decide;
  decide.set_item_id(424242);
  decide.set_decision(v1::DECISION_ACTIONED);
  v1::CommentRequest comment;
  comment.set_item_id(424242);
  comment.set_text("x");
  v1::ReopenRequest reopen;
  reopen.set_item_id(424242);
  EXPECT_EQ(store_->GetItem(424242).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetHistory(424242).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Claim(claim, "a").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Release(424242, "a").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Decide(decide, "a", "v").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Comment(comment, "a").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Reopen(reopen, "a").status().code(),
            absl::StatusCode::kNotFound);
  // Claiming the next item from an empty queue.
  EXPECT_EQ(store_->Claim({}, "a").status().code(),
            absl::StatusCode::kNotFound);
}

// Only Claim reads item_id 0 as "the next item"; the other transitions
// find no item 0, even with an open item in the queue.
TEST_P(StoreConformanceTest, ItemZeroIsNotFoundExceptForClaimNext) {
  Record({Flagged("s", "1", "x", 0.9)});
  v1::DecideRequest decide;
  decide.set_decision(v1::DECISION_ACTIONED);
  for (const absl::Status& status :
       {store_->Release(0, "a").status(),
        store_->Decide(decide, "a", "v").status(),
        store_->Reopen(v1::ReopenRequest(), "a").status()}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
    EXPECT_EQ(status.message(), "no review item 0");
  }
}

TEST_P(StoreConformanceTest, ClaimNextTakesTheBestOpenItem) {
  Record({Flagged("fb", "a", "x", 0.95, {"insult"}),
          Flagged("fb", "b", "x", 0.70, {"threat"}),
          Flagged("fb", "c", "x", 0.80, {"insult"})});
  v1::ClaimRequest next;
  EXPECT_EQ(store_->Claim(next, "alice")->post().id(), "a");
  EXPECT_EQ(store_->Claim(next, "bob")->post().id(), "c");
  next.mutable_filter()->add_categories("insult");
  EXPECT_EQ(store_->Claim(next, "carol").status().code(),
            absl::StatusCode::kNotFound);
  next.mutable_filter()->clear_categories();
  next.mutable_filter()->add_statuses(v1::ITEM_STATUS_ACTIONED);
  EXPECT_EQ(store_->Claim(next, "carol").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ConcurrentClaimsFromTwoStoresNeverOverlap) {
  // Two stores on one database stand for two service instances.
  std::unique_ptr<SqlFlagStore> other = OpenStore();
  ASSERT_NE(other, nullptr);
  constexpr int kItems = 60;
  std::vector<FlaggedPost> posts;
  for (int i = 0; i < kItems; ++i) {
    posts.push_back(Flagged("fb", std::to_string(i), "x", 0.5 + i / 1000.0));
  }
  Record(posts);
  std::mutex mu;
  std::vector<int64_t> claimed;
  std::vector<std::thread> analysts;
  for (int a = 0; a < 6; ++a) {
    SqlFlagStore* store = a % 2 ? other.get() : store_.get();
    analysts.emplace_back([&, store, a] {
      const std::string name = "analyst" + std::to_string(a);
      while (true) {
        auto item = store->Claim({}, name);
        if (!item.ok()) {
          EXPECT_EQ(item.status().code(), absl::StatusCode::kNotFound)
              << item.status();
          return;
        }
        std::lock_guard<std::mutex> lock(mu);
        claimed.push_back(item->item_id());
      }
    });
  }
  for (auto& t : analysts) t.join();
  std::sort(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kItems));
  EXPECT_EQ(std::adjacent_find(claimed.begin(), claimed.end()), claimed.end())
      << "an item was claimed twice";
}

TEST_P(StoreConformanceTest, GroupCommitStoresEveryConcurrentWrite) {
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        FlaggedPost p =
            Flagged("t" + std::to_string(t), std::to_string(i), "x", 0.9);
        EXPECT_TRUE(store_->RecordFlagged({&p, 1}).ok());
      }
    });
  }
  for (auto& t : writers) t.join();
  v1::ListQueueRequest all;
  all.set_page_size(500);
  EXPECT_EQ(Ids(all).size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_P(StoreConformanceTest, RetentionErasesOldTextOnly) {
  Record({Flagged("fb", "old", "văn bản cũ", 0.9)});
  now_ += 10 * 24 * 3600 * kSecond;
  Record({Flagged("fb", "new", "văn bản mới", 0.9)});
  auto erased = store_->EraseTextBefore(now_ - 24 * 3600 * kSecond);
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, 1);
  auto old_item = store_->GetItem(IdOf("fb", "old"));
  EXPECT_EQ(old_item->post().text(), "");
  EXPECT_EQ(old_item->post().metadata_size(), 0);
  EXPECT_EQ(old_item->post().id(), "old");
  EXPECT_TRUE(old_item->has_text_erased_at());
  EXPECT_EQ(old_item->verdict().hits_size(), 1);  // the verdict stays
  EXPECT_EQ(Kinds(old_item->item_id()).size(), 1u);
  EXPECT_EQ(store_->GetItem(IdOf("fb", "new"))->post().text(), "văn bản mới");
  // Erasing again finds nothing new.
  EXPECT_EQ(*store_->EraseTextBefore(now_ - 24 * 3600 * kSecond), 0);
}

TEST_P(StoreConformanceTest, EventLogIsAppendOnly) {
  Record({Flagged("fb", "1", "x", 0.9)});
  auto db = db_->connect()();
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE((*db)->ExecScript("UPDATE events SET actor = 'mallory'").ok());
  EXPECT_FALSE((*db)->ExecScript("DELETE FROM events").ok());
  EXPECT_THAT(Kinds(IdOf("fb", "1")), ElementsAre(v1::EVENT_KIND_FLAGGED));
}

TEST_P(StoreConformanceTest, MigrationsRunOnceAndRefuseNewerSchemas) {
  auto db = db_->connect()();
  ASSERT_TRUE(db.ok());
  // Already migrated by the store: nothing to do.
  auto before = Migrate(**db, kStart);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(*before, LatestSchemaVersion());
  ASSERT_TRUE((*db)
                  ->ExecScript("INSERT INTO schema_migrations (version, "
                               "applied_at, what) VALUES (999, 0, 'future')")
                  .ok());
  auto newer = Migrate(**db, kStart);
  EXPECT_EQ(newer.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(newer.status().message(), HasSubstr("999"));
}

TEST_P(StoreConformanceTest, NulBytesInTextKeepEveryOffset) {
  Record({Flagged("fb", "nul", std::string("óc\0chó", 8), 0.9)});
  auto item = store_->GetItem(IdOf("fb", "nul"));
  ASSERT_TRUE(item.ok()) << item.status();
  EXPECT_EQ(item->post().text(), "óc chó");  // same length, same offsets
}

TEST_P(StoreConformanceTest, RepeatedFiltersMakeOneStatement) {
  Record({Flagged("fb", "1", "x", 0.9)});
  v1::ListQueueRequest request;
  for (int i = 0; i < 20000; ++i) {
    request.mutable_filter()->add_statuses(v1::ITEM_STATUS_OPEN);
  }
  auto page = store_->ListQueue(request);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->items_size(), 1);
  v1::ListQueueRequest bad_time;
  bad_time.mutable_filter()->mutable_flagged_after()->set_seconds(
      std::numeric_limits<int64_t>::max());
  EXPECT_EQ(store_->ListQueue(bad_time).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, RetentionErasesInBatches) {
  std::vector<FlaggedPost> posts;
  for (int i = 0; i < 2500; ++i) {
    posts.push_back(Flagged("bulk", std::to_string(i), "văn bản", 0.9));
  }
  Record(posts);
  now_ += 48 * 3600 * kSecond;
  auto erased = store_->EraseTextBefore(now_ - 24 * 3600 * kSecond);
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, 2500);
  EXPECT_EQ(*store_->EraseTextBefore(now_.load()), 0);
}

// An unflagged post picked for the quality sample (FlaggedPost::sampled).

TEST_P(StoreConformanceTest, SampledPostsHaveTheirOwnQueue) {
  Record({Flagged("fb", "1", "óc chó", 0.9), Sampled("fb", "2", "chào bạn"),
          Sampled("fb", "3", "tin nhắn")});
  // The flagged queue (the default) does not list sampled items.
  v1::ListQueueRequest flagged;
  EXPECT_EQ(Ids(flagged).size(), 1u);
  v1::ListQueueRequest sample;
  sample.mutable_filter()->set_queue(v1::QUEUE_SAMPLE);
  const std::vector<int64_t> ids = Ids(sample);
  ASSERT_EQ(ids.size(), 2u);
  auto item = store_->GetItem(ids[0]);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->queue(), v1::QUEUE_SAMPLE);
  EXPECT_EQ(item->status(), v1::ITEM_STATUS_OPEN);
  EXPECT_FALSE(item->verdict().flagged());
  EXPECT_THAT(Kinds(ids[0]), ElementsAre(v1::EVENT_KIND_SAMPLED));
  // Re-sent, a sampled post is not sampled twice; a flagged one is not
  // sampled at all.
  Record({Sampled("fb", "2", "chào bạn"), Sampled("fb", "1", "óc chó")});
  EXPECT_EQ(Ids(sample).size(), 2u);
  EXPECT_EQ(store_->GetItem(ids[0])->times_flagged(), 1);
  EXPECT_THAT(Kinds(ids[0]), ElementsAre(v1::EVENT_KIND_SAMPLED));
  EXPECT_EQ(store_->GetItem(IdOf("fb", "1"))->queue(), v1::QUEUE_FLAGGED);
  // The review queue's counts are the flagged queue's.
  EXPECT_EQ((*store_->CountByStatus())["open"], 1);

  // Claiming the next item takes it from the queue asked for.
  v1::ClaimRequest next;
  *next.mutable_filter() = sample.filter();
  auto claimed = store_->Claim(next, "alice");
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_EQ(claimed->queue(), v1::QUEUE_SAMPLE);
  // Labeled harmful, a sampled item must say in which categories; unknown
  // names are refused.
  v1::DecideRequest decide;
  decide.set_item_id(claimed->item_id());
  decide.set_decision(v1::DECISION_ACTIONED);
  EXPECT_EQ(store_->Decide(decide, "alice", "test-2").status().code(),
            absl::StatusCode::kInvalidArgument);
  decide.add_categories("nonsense");
  EXPECT_EQ(store_->Decide(decide, "alice", "test-2").status().code(),
            absl::StatusCode::kInvalidArgument);
  decide.clear_categories();
  decide.add_categories("threat");
  decide.add_categories("insult");
  auto decided = store_->Decide(decide, "alice", "test-2");
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_THAT(decided->decided_categories(), ElementsAre("insult", "threat"));
  // Labeled not harmful, no categories are needed.
  auto other = store_->Claim(next, "alice");
  ASSERT_TRUE(other.ok()) << other.status();
  decide.set_item_id(other->item_id());
  decide.set_decision(v1::DECISION_DISMISSED);
  decide.clear_categories();
  ASSERT_TRUE(store_->Decide(decide, "alice", "test-2").ok());
  EXPECT_EQ(store_->Claim(next, "alice").status().code(),
            absl::StatusCode::kNotFound);
  // Precision counts decisions on flagged items only.
  v1::GetReviewOutcomesRequest outcomes;
  auto o = store_->GetReviewOutcomes(outcomes);
  ASSERT_TRUE(o.ok());
  for (const v1::Outcome& c : o->categories()) {
    EXPECT_EQ(c.actioned() + c.dismissed(), 0) << c.category();
  }
}

// The estimates of stats.proto from a store: counts of analyzed and
// flagged posts, decisions on flagged items, labels on sampled ones.
TEST_P(StoreConformanceTest, SampleEstimatesMatchAHandComputation) {
  // 10,000 posts analyzed in the minute, 300 flagged insult.
  StatsDelta delta;
  const int64_t minute = kStart / kSecond / 60 * 60;
  delta.counts[{minute, "fb", StatsDelta::kMetricAnalyzed, ""}] = 10000;
  delta.counts[{minute, "fb", StatsDelta::kMetricFlagged, ""}] = 300;
  delta.counts[{minute, "fb", StatsDelta::kMetricFlag, "insult"}] = 300;
  ASSERT_TRUE(store_->AddStats(delta).ok());
  // 4 flagged insult items decided: 3 actioned, 1 dismissed.
  std::vector<FlaggedPost> posts;
  for (int i = 0; i < 4; ++i) {
    posts.push_back(Flagged("fb", "f" + std::to_string(i), "x", 0.9));
  }
  // 20 sampled items: 2 labeled insult, 1 labeled insult and threat, 15
  // labeled harmless, 2 left open.
  for (int i = 0; i < 20; ++i) {
    posts.push_back(Sampled("fb", "s" + std::to_string(i), "y"));
  }
  Record(posts);
  for (int i = 0; i < 4; ++i) {
    const int64_t id = IdOf("fb", "f" + std::to_string(i));
    Claim(id, "alice");
    ASSERT_TRUE(Decide(id, "alice",
                       i < 3 ? v1::DECISION_ACTIONED : v1::DECISION_DISMISSED)
                    .ok());
  }
  v1::ListQueueRequest sample;
  sample.mutable_filter()->set_queue(v1::QUEUE_SAMPLE);
  const std::vector<int64_t> sampled = Ids(sample);
  ASSERT_EQ(sampled.size(), 20u);
  for (int i = 0; i < 18; ++i) {
    Claim(sampled[i], "bob");
    v1::DecideRequest decide;
    decide.set_item_id(sampled[i]);
    decide.set_decision(i < 3 ? v1::DECISION_ACTIONED : v1::DECISION_DISMISSED);
    if (i < 3) decide.add_categories("insult");
    if (i == 2) decide.add_categories("threat");
    ASSERT_TRUE(store_->Decide(decide, "bob", "test-2").ok());
  }
  v1::GetSampleEstimatesRequest request;
  request.mutable_filter()->mutable_start()->set_seconds(minute);
  auto r = store_->GetSampleEstimates(request);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->unflagged(), 9700);
  EXPECT_EQ(r->sampled(), 20);
  EXPECT_EQ(r->labeled(), 18);
  EXPECT_EQ(r->labeled_harmful(), 3);
  ASSERT_EQ(r->categories_size(), match::kNumCategories);
  const v1::SampleEstimate& insult =
      r->categories(static_cast<int>(match::Category::kInsult));
  EXPECT_EQ(insult.category(), "insult");
  EXPECT_EQ(insult.labeled_harmful(), 3);
  EXPECT_DOUBLE_EQ(insult.prevalence(), 3.0 / 18);
  EXPECT_EQ(insult.flagged(), 300);
  EXPECT_DOUBLE_EQ(insult.precision(), 0.75);
  // caught 0.75 * 300 = 225, missed 9700 / 6 = 1616.67.
  EXPECT_NEAR(insult.estimated_missed(), 9700.0 / 6, 1e-9);
  EXPECT_NEAR(insult.recall(), 225 / (225 + 9700.0 / 6), 1e-12);
  EXPECT_LT(insult.recall_low(), insult.recall());
  EXPECT_GT(insult.recall_high(), insult.recall());
  const v1::SampleEstimate& threat =
      r->categories(static_cast<int>(match::Category::kThreat));
  EXPECT_EQ(threat.labeled_harmful(), 1);
  EXPECT_FALSE(threat.has_precision());  // no flagged threat decided
  EXPECT_FALSE(threat.has_recall());
  // A range without the minute: nothing.
  request.mutable_filter()->mutable_start()->set_seconds(minute + 3600);
  request.mutable_filter()->mutable_end()->set_seconds(minute + 7200);
  r = store_->GetSampleEstimates(request);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sampled(), 0);
  EXPECT_FALSE(r->categories(0).has_prevalence());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST(OpenFlagStoreTest, UrlsAndRedaction) {
  EXPECT_EQ(OpenFlagStore("mysql://x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenFlagStore("sqlite:").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(OpenFlagStore("sqlite::memory:").ok());
  EXPECT_EQ(
      OpenFlagStore("postgresql://nobody@127.0.0.1:1/none").status().code(),
      absl::StatusCode::kUnavailable);
  EXPECT_EQ(RedactStoreUrl("postgresql://vigil:s3cret@db:5432/vigil"),
            "postgresql://vigil:***@db:5432/vigil");
  EXPECT_EQ(RedactStoreUrl("postgresql://vigil@db/vigil"),
            "postgresql://vigil@db/vigil");
  EXPECT_EQ(RedactStoreUrl("sqlite:data/vigil.db"), "sqlite:data/vigil.db");
  EXPECT_EQ(RedactStoreUrl("postgresql://vigil@db/vigil?password=s3cret&"
                           "sslmode=require"),
            "postgresql://vigil@db/vigil?password=***&sslmode=require");
  EXPECT_EQ(RedactStoreUrl("postgresql://u:p@db/v?sslmode=x&password=s3"),
            "postgresql://u:***@db/v?sslmode=x&password=***");
}

}  // namespace
}  // namespace vigil::service
