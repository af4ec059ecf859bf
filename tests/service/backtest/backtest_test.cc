// RunBacktest on both store backends: a candidate lexicon that drops one
// insult term and adds another, against items with decisions; and its
// counts against a direct re-analysis of every stored post.
#include "service/backtest/backtest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unicode/ustring.h>

#include <filesystem>
#include <map>
#include <set>

#include "analyzers/match/category.h"
#include "service/store/sql_flag_store.h"
#include "service/verdict_proto.h"
#include "tests/service/backtest/direct_counts.h"
#include "tests/service/store/test_database.h"
#include "tests/test_data.h"

namespace vigil::service {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

bool IsUtf8WithoutNul(const std::string& s) {
  if (s.find('\0') != std::string::npos) return false;
  UErrorCode error = U_ZERO_ERROR;
  int32_t length = 0;
  u_strFromUTF8(nullptr, 0, &length, s.data(), static_cast<int32_t>(s.size()),
                &error);
  return error != U_INVALID_CHAR_FOUND;
}

// The test lexicon with insult's "súc vật" removed and "đồ ăn hại" added.
std::string MakeCandidate(const fs::path& dir) {
  const std::string copy = vigil::testing::CopyLexicon(
      vigil::testing::SourcePath("tests/fixtures/lexicon"), dir.string());
  vigil::testing::EditLines(copy + "/insult.tsv", "súc vật\t",
                            "đồ ăn hại\t3\tfold\tmoderate\n");
  return copy;
}

class BacktestTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    db_ = testing::TestDatabase::Create(GetParam(), &skip);
    if (db_ == nullptr) GTEST_SKIP() << skip;
    SqlFlagStore::Options options;
    options.connect = db_->connect();
    auto store = SqlFlagStore::Open(std::move(options));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto before =
        Analyzer::Load(vigil::testing::SourcePath("tests/fixtures/lexicon"));
    ASSERT_TRUE(before.ok()) << before.status();
    before_ = *before;
    dir_ = fs::temp_directory_path() /
           ("vigil_backtest_" + std::to_string(::getpid()) + "_" + GetParam());
    auto after = Analyzer::Load(MakeCandidate(dir_));
    ASSERT_TRUE(after.ok()) << after.status();
    after_ = *after;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Stores `text` as the serving analyzer judges it: flagged, or sampled
  // when `sampled` (an unflagged post of the quality sample).
  int64_t Store(const std::string& id, const std::string& text,
                bool sampled = false) {
    FlaggedPost post;
    post.post.set_source("fb");
    post.post.set_id(id);
    post.post.set_text(text);
    ToProto(*before_, before_->Analyze(text), &post.verdict);
    EXPECT_EQ(post.verdict.flagged(), !sampled) << text;
    post.sampled = sampled;
    EXPECT_TRUE(store_->RecordFlagged({&post, 1}).ok());
    v1::ListQueueRequest request;
    request.mutable_filter()->set_queue(sampled ? v1::QUEUE_SAMPLE
                                                : v1::QUEUE_FLAGGED);
    request.set_page_size(500);
    auto page = store_->ListQueue(request);
    EXPECT_TRUE(page.ok()) << page.status();
    for (const auto& item : page->items()) {
      if (item.post().id() == id) return item.item_id();
    }
    ADD_FAILURE() << "not stored: " << id;
    return -1;
  }

  void Decide(int64_t item_id, v1::Decision decision,
              std::vector<std::string> categories = {}) {
    v1::ClaimRequest claim;
    claim.set_item_id(item_id);
    ASSERT_TRUE(store_->Claim(claim, "alice").ok());
    v1::DecideRequest request;
    request.set_item_id(item_id);
    request.set_decision(decision);
    for (const std::string& c : categories) request.add_categories(c);
    ASSERT_TRUE(store_->Decide(request, "alice", "test-1").ok());
  }

  const v1::CategoryBacktest& Insult(const v1::BacktestReport& report) {
    return report.categories(static_cast<int>(match::Category::kInsult));
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<SqlFlagStore> store_;
  std::shared_ptr<const Analyzer> before_, after_;
  fs::path dir_;
};

TEST_P(BacktestTest, ReportsWhatTheCandidateChanges) {
  const int64_t kept = Store("1", "mày là thằng ngu");   // both flag
  const int64_t lost = Store("2", "đồ súc vật");         // before only
  const int64_t wrong = Store("3", "súc vật hoang dã");  // before only
  const int64_t gained = Store("4", "đồ ăn hại", /*sampled=*/true);
  Store("5", "chào buổi sáng", /*sampled=*/true);  // neither
  Decide(kept, v1::DECISION_ACTIONED);
  Decide(lost, v1::DECISION_ACTIONED);
  Decide(wrong, v1::DECISION_DISMISSED);
  Decide(gained, v1::DECISION_ACTIONED, {"insult"});

  BacktestOptions options;
  std::vector<int64_t> progress;
  options.progress = [&](const v1::BacktestProgress& p) {
    progress.push_back(p.items_read());
  };
  auto report = RunBacktest(*store_, *before_, *after_, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->before_version(), before_->version());
  EXPECT_EQ(report->after_version(), after_->version());
  EXPECT_EQ(report->items(), 5);
  EXPECT_EQ(report->erased(), 0);
  EXPECT_EQ(report->decided(), 4);
  EXPECT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), 5);

  EXPECT_EQ(report->newly_flagged(), 1);
  EXPECT_THAT(report->newly_flagged_item_ids(), ElementsAre(gained));
  EXPECT_EQ(report->no_longer_flagged(), 2);
  EXPECT_THAT(report->no_longer_flagged_item_ids(),
              UnorderedElementsAreArray({lost, wrong}));
  EXPECT_EQ(report->changed_categories(), 0);

  const v1::CategoryBacktest& insult = Insult(*report);
  EXPECT_EQ(insult.category(), "insult");
  EXPECT_EQ(insult.flagged_before(), 3);
  EXPECT_EQ(insult.flagged_after(), 2);
  EXPECT_EQ(insult.gained(), 1);
  EXPECT_EQ(insult.lost(), 2);
  // Before: flags kept, lost (right) and wrong (dismissed): 2 of 3; harmful
  // items kept, lost, gained: 2 of 3 flagged. After: flags kept and gained,
  // both right; of the 3 harmful, 2 flagged.
  EXPECT_EQ(insult.precision_before().k(), 2);
  EXPECT_EQ(insult.precision_before().n(), 3);
  EXPECT_EQ(insult.precision_after().k(), 2);
  EXPECT_EQ(insult.precision_after().n(), 2);
  EXPECT_DOUBLE_EQ(insult.precision_after().value(), 1.0);
  EXPECT_LT(insult.precision_after().low(), 1.0);  // two labels prove little
  EXPECT_EQ(insult.recall_before().k(), 2);
  EXPECT_EQ(insult.recall_before().n(), 3);
  EXPECT_EQ(insult.recall_after().k(), 2);
  EXPECT_EQ(insult.recall_after().n(), 3);
  // Other categories: nothing flagged, no labels.
  const v1::CategoryBacktest& spam =
      report->categories(static_cast<int>(match::Category::kSpam));
  EXPECT_EQ(spam.flagged_before() + spam.flagged_after(), 0);
  EXPECT_EQ(spam.precision_before().n(), 0);
  EXPECT_FALSE(spam.precision_before().has_value());

  std::map<std::string, v1::TermBacktest> terms;
  for (const auto& t : report->terms()) terms[t.term()] = t;
  EXPECT_EQ(report->terms_changed(), 2);
  ASSERT_TRUE(terms.count("súc vật"));
  EXPECT_EQ(terms["súc vật"].items_before(), 2);
  EXPECT_EQ(terms["súc vật"].items_after(), 0);
  EXPECT_EQ(terms["súc vật"].lost(), 2);
  ASSERT_TRUE(terms.count("đồ ăn hại"));
  EXPECT_EQ(terms["đồ ăn hại"].gained(), 1);
  EXPECT_THAT(terms["đồ ăn hại"].gained_item_ids(), ElementsAre(gained));
  EXPECT_EQ(report->terms(0).term(), "súc vật");  // most changed first
}

TEST_P(BacktestTest, SkipsErasedTextAndHonoursSinceAndLimits) {
  Store("1", "đồ súc vật");
  ASSERT_TRUE(
      store_->EraseTextBefore(absl::ToUnixMicros(absl::Now()) + 1).ok());
  Store("2", "súc vật hoang dã");
  Store("3", "súc vật thật sự");
  BacktestOptions options;
  options.max_item_ids = 1;
  options.max_terms = 0;
  auto report = RunBacktest(*store_, *before_, *after_, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->erased(), 1);
  EXPECT_EQ(report->items(), 2);
  EXPECT_EQ(report->no_longer_flagged(), 2);
  EXPECT_EQ(report->no_longer_flagged_item_ids_size(), 1);
  EXPECT_EQ(Insult(*report).lost_item_ids_size(), 1);
  EXPECT_EQ(report->terms_changed(), 1);
  EXPECT_THAT(report->terms(), IsEmpty());

  options.since = absl::Now() + absl::Seconds(1);
  report = RunBacktest(*store_, *before_, *after_, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->items() + report->erased(), 0);

  options.since = absl::InfinitePast();
  options.cancelled = [] { return true; };
  EXPECT_EQ(RunBacktest(*store_, *before_, *after_, options).status().code(),
            absl::StatusCode::kCancelled);
}

// The report against a direct re-analysis of each stored post, over more
// items than one page: no item missed or counted twice.
TEST_P(BacktestTest, CountsMatchADirectReanalysis) {
  std::vector<std::string> texts = vigil::testing::GeneratedPosts(1200, 7);
  const char* insults[] = {"đồ súc vật", "thằng ngu", "đồ ăn hại", "óc chó vãi",
                           "súc vật"};
  for (size_t i = 0; i < texts.size(); i += 3) {
    texts[i] += std::string(" ") + insults[i % 5];
  }
  std::vector<FlaggedPost> posts;
  for (size_t i = 0; i < texts.size(); ++i) {
    FlaggedPost post;
    post.post.set_source("gen");
    post.post.set_id(std::to_string(i));
    // As clients must: text when it is valid UTF-8 without NUL, raw_text
    // otherwise (proto3 strings must be UTF-8; databases keep no NUL).
    if (IsUtf8WithoutNul(texts[i])) {
      post.post.set_text(texts[i]);
    } else {
      post.post.set_raw_text(texts[i]);
    }
    ToProto(*before_, before_->Analyze(texts[i]), &post.verdict);
    post.sampled = !post.verdict.flagged() && i % 2 == 0;
    if (post.verdict.flagged() || post.sampled) posts.push_back(post);
  }
  const absl::Status recorded = store_->RecordFlagged(posts);
  ASSERT_TRUE(recorded.ok()) << recorded;

  BacktestOptions options;
  options.page_size = 97;  // many pages
  options.max_item_ids = 100000;
  auto report = RunBacktest(*store_, *before_, *after_, options);
  ASSERT_TRUE(report.ok()) << report.status();

  // Direct: analyze each stored post's text with both analyzers.
  std::vector<std::string> stored;
  int64_t raw = 0;
  for (const FlaggedPost& p : posts) {
    stored.push_back(p.post.raw_text().empty() ? p.post.text()
                                               : p.post.raw_text());
    raw += !p.post.raw_text().empty();
  }
  const vigil::testing::DirectCounts direct =
      vigil::testing::CountDirectly(*before_, *after_, stored);
  EXPECT_EQ(report->items(), static_cast<int64_t>(posts.size()));
  EXPECT_GT(raw, 0);  // posts sent as bytes are re-analyzed too
  int64_t changed = 0;
  for (int c = 0; c < match::kNumCategories; ++c) {
    const v1::CategoryBacktest& got = report->categories(c);
    EXPECT_EQ(got.flagged_before(), direct.flagged_before[c]) << got.category();
    EXPECT_EQ(got.flagged_after(), direct.flagged_after[c]) << got.category();
    EXPECT_EQ(got.gained(), direct.gained[c]) << got.category();
    EXPECT_EQ(got.lost(), direct.lost[c]) << got.category();
    changed += direct.gained[c] + direct.lost[c];
  }
  EXPECT_GT(changed, 100);  // the candidate changes many of these posts
  EXPECT_TRUE(direct.Matches(*report));
  std::set<std::string> newly, no_longer, got_newly, got_no_longer;
  for (size_t i : direct.newly_flagged) newly.insert(posts[i].post.id());
  for (size_t i : direct.no_longer_flagged) {
    no_longer.insert(posts[i].post.id());
  }
  for (int64_t id : report->newly_flagged_item_ids()) {
    got_newly.insert(store_->GetItem(id)->post().id());
  }
  for (int64_t id : report->no_longer_flagged_item_ids()) {
    got_no_longer.insert(store_->GetItem(id)->post().id());
  }
  EXPECT_EQ(got_newly, newly);
  EXPECT_EQ(got_no_longer, no_longer);
}

INSTANTIATE_TEST_SUITE_P(Backends, BacktestTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vigil::service
