// Statistics on every backend: after known counts and decisions, every
// statistic equals the expected number.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>

#include "service/stats_recorder.h"
#include "service/store/sql_flag_store.h"
#include "tests/service/store/test_database.h"

namespace vigil::service {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

constexpr int64_t kSecond = 1000000;
// 2026-11-26T00:00:00Z, a day boundary.
constexpr int64_t kDay0 = 1795651200;

FlaggedPost Flagged(const std::string& id,
                    std::vector<std::pair<std::string, std::string>> hits) {
  FlaggedPost p;
  p.post.set_source("fb");
  p.post.set_id(id);
  p.post.set_text("x");
  p.verdict.set_flagged(true);
  std::set<std::string> categories;
  for (const auto& [category, term] : hits) {
    v1::Hit* hit = p.verdict.add_hits();
    hit->set_category(category);
    hit->set_term(term);
    if (categories.insert(category).second) {
      p.verdict.add_flagged_categories(category);
      (*p.verdict.mutable_scores())[category] = 0.9;
    }
  }
  return p;
}

class StatsConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    db_ = testing::TestDatabase::Create(GetParam(), &skip);
    if (db_ == nullptr) GTEST_SKIP() << skip;
    SqlFlagStore::Options options;
    options.connect = db_->connect();
    options.now = [this] { return now_.load(); };
    auto store = SqlFlagStore::Open(std::move(options));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // `n` analyzed posts at kDay0 + `second` from `source`, `flagged` of them
  // flagged in `categories`.
  void Count(int64_t second, const std::string& source, int n, int flagged,
             std::vector<std::string> categories = {}) {
    StatsDelta delta;
    const int64_t minute = (kDay0 + second) / 60 * 60;
    delta.counts[{minute, source, StatsDelta::kMetricAnalyzed, ""}] = n;
    if (flagged > 0) {
      delta.counts[{minute, source, StatsDelta::kMetricFlagged, ""}] = flagged;
    }
    for (const std::string& c : categories) {
      delta.counts[{minute, source, StatsDelta::kMetricFlag, c}] = flagged;
    }
    ASSERT_TRUE(store_->AddStats(delta).ok());
  }

  void Hits(int64_t second, const std::string& source,
            const std::string& category, const std::string& term, int n) {
    StatsDelta delta;
    delta.terms[{(kDay0 + second) / 60 * 60, source, category, term}] = n;
    ASSERT_TRUE(store_->AddStats(delta).ok());
  }

  v1::StatsFilter Range(int64_t start, int64_t end) {
    v1::StatsFilter filter;
    filter.mutable_start()->set_seconds(kDay0 + start);
    filter.mutable_end()->set_seconds(kDay0 + end);
    return filter;
  }

  std::atomic<int64_t> now_{(kDay0 + 2 * 86400) * kSecond};
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<SqlFlagStore> store_;
};

TEST_P(StatsConformanceTest, SummaryByRangeAndSource) {
  Count(10, "fb", 100, 7, {"insult"});
  Count(70, "fb", 50, 3, {"insult", "threat"});  // next minute
  Count(20, "yt", 40, 4, {"spam"});
  Count(3600 + 5, "fb", 10, 1, {"sexual"});  // next hour
  Count(10, "fb", 5, 0);  // adds to the first minute (another instance)

  v1::GetSummaryRequest all;
  auto summary = store_->GetSummary(all);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->total().posts_analyzed(), 205);
  EXPECT_EQ(summary->total().posts_flagged(), 15);
  EXPECT_EQ(summary->total().flags_by_category().at("insult"), 10);
  EXPECT_EQ(summary->total().flags_by_category().at("threat"), 3);
  EXPECT_EQ(summary->total().flags_by_category().at("spam"), 4);
  EXPECT_EQ(summary->total().flags_by_category().at("sexual"), 1);
  EXPECT_EQ(summary->total().flags_by_category().at("hate"), 0);
  ASSERT_EQ(summary->by_source_size(), 2);
  EXPECT_EQ(summary->by_source(0).source(), "fb");  // most posts first
  EXPECT_EQ(summary->by_source(0).counts().posts_analyzed(), 165);
  EXPECT_EQ(summary->by_source(1).counts().posts_flagged(), 4);

  // The first hour only; a minute counts when it starts in the range.
  v1::GetSummaryRequest hour;
  *hour.mutable_filter() = Range(0, 3600);
  EXPECT_EQ(store_->GetSummary(hour)->total().posts_analyzed(), 195);
  *hour.mutable_filter() = Range(30, 3600);  // from 00:00:30: minute 1 on
  EXPECT_EQ(store_->GetSummary(hour)->total().posts_analyzed(), 50);
  // One source.
  v1::GetSummaryRequest yt;
  yt.mutable_filter()->set_source("yt");
  EXPECT_EQ(store_->GetSummary(yt)->total().posts_analyzed(), 40);
  EXPECT_EQ(store_->GetSummary(yt)->by_source_size(), 1);
  // A reversed range is the caller's error.
  v1::GetSummaryRequest reversed;
  *reversed.mutable_filter() = Range(100, 0);
  EXPECT_EQ(store_->GetSummary(reversed).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StatsConformanceTest, TimeSeriesBuckets) {
  Count(10, "fb", 100, 7, {"insult"});
  Count(70, "fb", 50, 3, {"insult"});
  Count(3600 + 5, "fb", 10, 1, {"sexual"});
  Count(86400 + 5, "yt", 8, 2, {"spam"});

  v1::GetTimeSeriesRequest minutes;
  *minutes.mutable_filter() = Range(0, 180);
  auto series = store_->GetTimeSeries(minutes);
  ASSERT_TRUE(series.ok()) << series.status();
  ASSERT_EQ(series->buckets_size(), 3);
  EXPECT_EQ(series->buckets(0).start().seconds(), kDay0);
  EXPECT_EQ(series->buckets(0).counts().posts_analyzed(), 100);
  EXPECT_EQ(series->buckets(1).counts().flags_by_category().at("insult"), 3);
  EXPECT_EQ(series->buckets(2).counts().posts_analyzed(), 0);  // empty

  v1::GetTimeSeriesRequest hours;
  hours.set_granularity(v1::GRANULARITY_HOUR);
  *hours.mutable_filter() = Range(0, 2 * 3600);
  series = store_->GetTimeSeries(hours);
  ASSERT_EQ(series->buckets_size(), 2);
  EXPECT_EQ(series->buckets(0).counts().posts_analyzed(), 150);
  EXPECT_EQ(series->buckets(0).counts().posts_flagged(), 10);
  EXPECT_EQ(series->buckets(1).start().seconds(), kDay0 + 3600);
  EXPECT_EQ(series->buckets(1).counts().flags_by_category().at("sexual"), 1);

  v1::GetTimeSeriesRequest days;
  days.set_granularity(v1::GRANULARITY_DAY);
  *days.mutable_filter() = Range(0, 2 * 86400);
  series = store_->GetTimeSeries(days);
  ASSERT_EQ(series->buckets_size(), 2);
  EXPECT_EQ(series->buckets(0).counts().posts_analyzed(), 160);
  EXPECT_EQ(series->buckets(1).counts().posts_analyzed(), 8);
  days.mutable_filter()->set_source("yt");
  EXPECT_EQ(store_->GetTimeSeries(days)->buckets(0).counts().posts_analyzed(),
            0);

  v1::GetTimeSeriesRequest too_many;
  *too_many.mutable_filter() = Range(0, 30 * 86400);  // 43,200 minutes
  EXPECT_EQ(store_->GetTimeSeries(too_many).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Without a range the series is the last day (or 30 days) up to the bucket
// holding "now": always the same number of buckets, whatever second it is.
TEST_P(StatsConformanceTest, DefaultSeriesEndsWithTheBucketHoldingNow) {
  Count(86400 + 3600 + 59, "fb", 4, 1, {"insult"});  // 2026-11-27 01:00:59
  struct Case {
    int64_t now_second;  // after kDay0 + 1 day
    v1::Granularity granularity;
    int buckets;
    int64_t last_start;  // after kDay0 + 1 day
  };
  const Case kCases[] = {
      {3600 + 59, v1::GRANULARITY_MINUTE, 1440, 3600},  // the CI flake: :59
      {3600 + 0, v1::GRANULARITY_MINUTE, 1440, 3600},
      {3600 + 30, v1::GRANULARITY_MINUTE, 1440, 3600},
      {3600 + 59, v1::GRANULARITY_HOUR, 24, 3600},
      {2 * 3600 - 1, v1::GRANULARITY_HOUR, 24, 3600},
      {3600 + 59, v1::GRANULARITY_DAY, 30, 0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(::testing::Message() << "now=+" << c.now_second
                                      << " granularity=" << c.granularity);
    now_ = (kDay0 + 86400 + c.now_second) * kSecond;
    v1::GetTimeSeriesRequest request;
    request.set_granularity(c.granularity);
    auto series = store_->GetTimeSeries(request);
    ASSERT_TRUE(series.ok()) << series.status();
    ASSERT_EQ(series->buckets_size(), c.buckets);
    const auto& last = series->buckets(c.buckets - 1);
    EXPECT_EQ(last.start().seconds(), kDay0 + 86400 + c.last_start);
    // The post counted in the current bucket is in the last one.
    EXPECT_EQ(last.counts().posts_analyzed(), 4);
    EXPECT_EQ(last.counts().flags_by_category().at("insult"), 1);
  }
}

TEST_P(StatsConformanceTest, TopTermsPerCategory) {
  Hits(10, "fb", "insult", "óc chó", 5);
  Hits(70, "yt", "insult", "óc chó", 2);
  Hits(10, "fb", "insult", "ngu", 6);
  Hits(10, "fb", "insult", "khùng", 1);
  Hits(10, "fb", "profanity", "vcl", 9);
  Hits(86400 * 1 + 10, "fb", "insult", "khùng", 50);  // the next day

  v1::GetTopTermsRequest request;
  *request.mutable_filter() = Range(0, 86400);
  request.set_limit(2);
  auto top = store_->GetTopTerms(request);
  ASSERT_TRUE(top.ok()) << top.status();
  std::vector<std::string> rows;
  for (const auto& t : top->terms()) {
    rows.push_back(t.category() + " " + t.term() + " " +
                   std::to_string(t.hits()));
  }
  // Category order of the lexicon (profanity first), most hits first.
  EXPECT_THAT(
      rows, ElementsAre("profanity vcl 9", "insult óc chó 7", "insult ngu 6"));
  request.add_categories("insult");
  request.mutable_filter()->set_source("fb");
  request.set_limit(0);
  top = store_->GetTopTerms(request);
  ASSERT_EQ(top->terms_size(), 3);
  EXPECT_EQ(top->terms(0).term(), "ngu");
  EXPECT_EQ(top->terms(1).hits(), 5);  // óc chó from fb only
  request.add_categories("politics");
  EXPECT_EQ(store_->GetTopTerms(request).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StatsConformanceTest, ReviewOutcomesPerCategoryAndTerm) {
  ASSERT_TRUE(store_
                  ->RecordFlagged(std::vector<FlaggedPost>{
                      Flagged("1", {{"insult", "óc chó"}}),
                      Flagged("2", {{"insult", "óc chó"}, {"insult", "ngu"}}),
                      Flagged("3", {{"insult", "ngu"}}),
                      Flagged("4", {{"insult", "ngu"}, {"threat", "giết"}}),
                      Flagged("5", {{"threat", "giết"}}),
                      Flagged("6", {{"spam", "inbox"}}),
                  })
                  .ok());
  auto decide = [&](int64_t id, v1::Decision decision) {
    v1::ClaimRequest claim;
    claim.set_item_id(id);
    ASSERT_TRUE(store_->Claim(claim, "a").ok());
    v1::DecideRequest request;
    request.set_item_id(id);
    request.set_decision(decision);
    ASSERT_TRUE(store_->Decide(request, "a", "v").ok());
  };
  // Item ids follow insertion order 1..6.
  decide(1, v1::DECISION_ACTIONED);
  decide(2, v1::DECISION_DISMISSED);
  decide(3, v1::DECISION_DISMISSED);
  decide(4, v1::DECISION_ACTIONED);
  decide(5, v1::DECISION_ESCALATED);
  decide(6, v1::DECISION_ACTIONED);
  // A later flag of a decided item does not change what was decided on.
  ASSERT_TRUE(store_
                  ->RecordFlagged(
                      std::vector<FlaggedPost>{Flagged("3", {{"spam", "x"}})})
                  .ok());
  v1::ReopenRequest reopen;  // item 6 is no longer decided
  reopen.set_item_id(6);
  ASSERT_TRUE(store_->Reopen(reopen, "lead").ok());

  v1::GetReviewOutcomesRequest request;
  auto outcomes = store_->GetReviewOutcomes(request);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  std::map<std::string, v1::Outcome> by_category;
  for (const auto& o : outcomes->categories()) by_category[o.category()] = o;
  EXPECT_EQ(by_category["insult"].actioned(), 2);
  EXPECT_EQ(by_category["insult"].dismissed(), 2);
  EXPECT_DOUBLE_EQ(by_category["insult"].precision(), 0.5);
  EXPECT_EQ(by_category["threat"].actioned(), 1);
  EXPECT_EQ(by_category["threat"].escalated(), 1);
  EXPECT_DOUBLE_EQ(by_category["threat"].precision(), 1.0);
  EXPECT_EQ(by_category["spam"].actioned(), 0);  // reopened
  EXPECT_FALSE(by_category["spam"].has_precision());
  EXPECT_FALSE(by_category["hate"].has_precision());

  std::vector<std::string> terms;
  for (const auto& o : outcomes->terms()) {
    char line[96];
    std::snprintf(line, sizeof(line), "%s %s %.3f", o.category().c_str(),
                  o.term().c_str(), o.has_precision() ? o.precision() : -1.0);
    terms.push_back(line);
  }
  // Lowest precision first: ngu 1/3, óc chó 1/2, giết 1/1.
  EXPECT_THAT(terms, ElementsAre("insult ngu 0.333", "insult óc chó 0.500",
                                 "threat giết 1.000"));
  // Decisions outside the range do not count.
  *request.mutable_filter() = Range(-86400, -1);
  outcomes = store_->GetReviewOutcomes(request);
  EXPECT_EQ(outcomes->terms_size(), 0);

  auto queue = store_->CountByStatus();
  ASSERT_TRUE(queue.ok());
  EXPECT_THAT(*queue, ElementsAre(Pair("actioned", 2), Pair("claimed", 0),
                                  Pair("dismissed", 2), Pair("escalated", 1),
                                  Pair("open", 1)));
}

TEST_P(StatsConformanceTest, RecorderKeepsSourcesValidAndBounded) {
  StatsRecorder recorder;
  v1::Verdict clean;
  const auto at =
      std::chrono::system_clock::time_point(std::chrono::seconds(kDay0 + 10));
  // 127 ASCII bytes and a two-byte letter: cut before the letter.
  recorder.Record(std::string(127, 'a') + "é", at, clean);
  for (size_t i = 0; i < StatsRecorder::kMaxSources + 5; ++i) {
    recorder.Record("src" + std::to_string(i), at, clean);
  }
  ASSERT_TRUE(recorder.Flush(*store_).ok());
  auto summary = store_->GetSummary({});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->total().posts_analyzed(),
            static_cast<int64_t>(StatsRecorder::kMaxSources + 6));
  // The response is valid protobuf (valid UTF-8 sources).
  v1::GetSummaryResponse reparsed;
  EXPECT_TRUE(reparsed.ParseFromString(summary->SerializeAsString()));
  std::set<std::string> sources;
  for (const auto& s : summary->by_source()) sources.insert(s.source());
  EXPECT_TRUE(sources.count(std::string(127, 'a')));
  EXPECT_TRUE(sources.count(StatsRecorder::kOtherSource));
  EXPECT_EQ(sources.size(), StatsRecorder::kMaxSources + 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, StatsConformanceTest,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vigil::service
