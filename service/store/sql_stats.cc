// SqlFlagStore's statistics: per-minute counters (stat_counts, term_counts)
// summed over ranges with SQL, and review outcomes computed from the
// decided items' verdicts.
//
// Counters are added with upserts that increment (n = n + excluded.n), so
// several instances adding to the same minute sum correctly. Outcomes are
// read at query time from the items now decided (status actioned,
// dismissed or escalated, decided in the range), with the verdict the
// analyst saw when deciding (decided_verdict; a later re-flag does not
// change it): a reopened item no longer counts, and a re-decided one counts
// with its latest decision. Decisions
// are made by people, so the number of decided items in a range stays
// small enough to read.
#include <algorithm>
#include <set>

#include "analyzers/match/category.h"
#include "analyzers/util/strings.h"
#include "service/store/proto_time.h"
#include "service/store/sample_estimates.h"
#include "service/store/sql_flag_store.h"

namespace vigil::service {
namespace {

// Campaigns the summary lists, by size and by growth.
constexpr int kTopCampaigns = 5;

constexpr int kDefaultTopTerms = 20;
constexpr int kMaxTopTerms = 1000;
constexpr int64_t kMaxBuckets = 10000;
constexpr int64_t kSecondsPerMinute = 60;
constexpr int64_t kSecondsPerHour = 3600;
constexpr int64_t kSecondsPerDay = 86400;

// A filter's range in seconds, [start, end); end defaults to `now`.
struct Range {
  int64_t start = 0;
  int64_t end = 0;
};

absl::StatusOr<Range> RangeOf(const v1::StatsFilter& filter, int64_t now_micros,
                              int64_t default_span_seconds = 0) {
  if (!ValidTimestamp(filter.start()) || !ValidTimestamp(filter.end())) {
    return absl::InvalidArgumentError(
        "timestamps must lie between years 1 and 9999");
  }
  Range range;
  range.end = filter.has_end() ? filter.end().seconds()
                               : now_micros / kMicrosPerSecond + 1;
  if (filter.has_start()) {
    range.start = filter.start().seconds();
  } else if (default_span_seconds > 0) {
    range.start = range.end - default_span_seconds;
  }
  if (range.start > range.end) {
    return absl::InvalidArgumentError("the range's start is after its end");
  }
  return range;
}

// Every category, or the named ones (INVALID_ARGUMENT for unknown names).
absl::StatusOr<std::vector<std::string>> Categories(
    const google::protobuf::RepeatedPtrField<std::string>& names) {
  std::vector<std::string> out;
  if (names.empty()) {
    for (std::string_view name : match::kCategoryNames) out.emplace_back(name);
    return out;
  }
  for (const std::string& name : names) {
    if (!match::ParseCategory(name)) {
      return absl::InvalidArgumentError(match::UnknownCategoryMessage(name));
    }
    out.push_back(name);
  }
  return out;
}

v1::Counts EmptyCounts() {
  v1::Counts counts;
  for (std::string_view name : match::kCategoryNames) {
    (*counts.mutable_flags_by_category())[std::string(name)] = 0;
  }
  return counts;
}

void AddCount(const std::string& metric, const std::string& category, int64_t n,
              v1::Counts* counts) {
  if (metric == StatsDelta::kMetricAnalyzed) {
    counts->set_posts_analyzed(counts->posts_analyzed() + n);
  } else if (metric == StatsDelta::kMetricFlagged) {
    counts->set_posts_flagged(counts->posts_flagged() + n);
  } else if (metric == StatsDelta::kMetricFlag) {
    (*counts->mutable_flags_by_category())[category] += n;
  }
}

struct Tally {
  int64_t actioned = 0;
  int64_t dismissed = 0;
  int64_t escalated = 0;
};

v1::Outcome ToOutcome(const std::string& category, const std::string& term,
                      const Tally& t) {
  v1::Outcome o;
  o.set_category(category);
  o.set_term(term);
  o.set_actioned(t.actioned);
  o.set_dismissed(t.dismissed);
  o.set_escalated(t.escalated);
  if (t.actioned + t.dismissed > 0) {
    o.set_precision(static_cast<double>(t.actioned) /
                    static_cast<double>(t.actioned + t.dismissed));
  }
  return o;
}

}  // namespace

void StatsDelta::Merge(const StatsDelta& other) {
  for (const auto& [key, n] : other.counts) counts[key] += n;
  for (const auto& [key, n] : other.terms) terms[key] += n;
}

absl::Status SqlFlagStore::AddStats(const StatsDelta& delta) {
  if (delta.empty()) return absl::OkStatus();
  return Transact([&](SqlConnection& db) -> absl::Status {
    for (const auto& [key, n] : delta.counts) {
      const auto& [minute, source, metric, category] = key;
      SqlValue params[] = {SqlValue::Int(minute), SqlValue::Text(source),
                           SqlValue::Text(metric), SqlValue::Text(category),
                           SqlValue::Int(n)};
      if (auto done = db.Query(
              "INSERT INTO stat_counts (minute, source, metric, category, n) "
              "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (minute, source, "
              "metric, category) DO UPDATE SET n = stat_counts.n + excluded.n",
              params);
          !done.ok()) {
        return done.status();
      }
    }
    for (const auto& [key, n] : delta.terms) {
      const auto& [minute, source, category, term] = key;
      SqlValue params[] = {SqlValue::Int(minute), SqlValue::Text(source),
                           SqlValue::Text(category), SqlValue::Text(term),
                           SqlValue::Int(n)};
      if (auto done = db.Query(
              "INSERT INTO term_counts (minute, source, category, term, n) "
              "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (minute, source, "
              "category, term) DO UPDATE SET n = term_counts.n + excluded.n",
              params);
          !done.ok()) {
        return done.status();
      }
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::map<std::string, int64_t>> SqlFlagStore::CountByStatus() {
  const int64_t now = Now();
  std::map<std::string, int64_t> counts;
  for (v1::ItemStatus s : {v1::ITEM_STATUS_OPEN, v1::ITEM_STATUS_CLAIMED,
                           v1::ITEM_STATUS_ESCALATED, v1::ITEM_STATUS_ACTIONED,
                           v1::ITEM_STATUS_DISMISSED}) {
    counts[std::string(StatusName(s))] = 0;
  }
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    SqlValue params[] = {SqlValue::Int(now)};
    auto rows = db.Query(
        "SELECT CASE WHEN claimed_by IS NOT NULL AND lease_expires_at > $1 "
        "THEN 'claimed' ELSE status END AS effective, COUNT(*) FROM items "
        "WHERE queue = 'flagged' GROUP BY effective",
        params);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) counts[row[0].AsString()] += row[1].AsInt();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return counts;
}

absl::StatusOr<v1::GetSummaryResponse> SqlFlagStore::GetSummary(
    const v1::GetSummaryRequest& request) {
  auto range = RangeOf(request.filter(), Now());
  if (!range.ok()) return range.status();
  v1::GetSummaryResponse response;
  *response.mutable_total() = EmptyCounts();
  std::map<std::string, v1::Counts> by_source;
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    std::vector<SqlValue> params = {SqlValue::Int(range->start),
                                    SqlValue::Int(range->end)};
    std::string sql =
        "SELECT source, metric, category, SUM(n) FROM stat_counts WHERE "
        "minute >= $1 AND minute < $2";
    if (!request.filter().source().empty()) {
      sql += " AND source = $3";
      params.push_back(SqlValue::Text(request.filter().source()));
    }
    sql += " GROUP BY source, metric, category";
    auto rows = db.Query(sql, params);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) {
      const std::string& source = row[0].AsString();
      auto it = by_source.find(source);
      if (it == by_source.end()) {
        it = by_source.emplace(source, EmptyCounts()).first;
      }
      AddCount(row[1].AsString(), row[2].AsString(), row[3].AsInt(),
               &it->second);
      AddCount(row[1].AsString(), row[2].AsString(), row[3].AsInt(),
               response.mutable_total());
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  std::vector<std::pair<std::string, v1::Counts>> sources(by_source.begin(),
                                                          by_source.end());
  std::stable_sort(
      sources.begin(), sources.end(), [](const auto& a, const auto& b) {
        return a.second.posts_analyzed() > b.second.posts_analyzed();
      });
  for (auto& [source, counts] : sources) {
    v1::SourceCounts* out = response.add_by_source();
    out->set_source(source);
    *out->mutable_counts() = std::move(counts);
  }
  auto queue = CountByStatus();
  if (!queue.ok()) return queue.status();
  for (const auto& [name, n] : *queue) {
    (*response.mutable_queue_by_status())[name] = n;
  }
  v1::GetReviewOutcomesRequest outcomes_request;
  *outcomes_request.mutable_filter() = request.filter();
  auto outcomes = GetReviewOutcomes(outcomes_request);
  if (!outcomes.ok()) return outcomes.status();
  *response.mutable_outcomes() = outcomes->categories();
  auto clusters = CountClusters();
  if (!clusters.ok()) return clusters.status();
  v1::CampaignSummary* campaigns = response.mutable_campaigns();
  campaigns->set_clusters(clusters->clusters);
  campaigns->set_clustered_items(clusters->clustered_items);
  campaigns->set_largest(clusters->largest);
  for (const v1::ClusterOrder order :
       {v1::CLUSTER_ORDER_SIZE, v1::CLUSTER_ORDER_GROWTH}) {
    v1::ListClustersRequest top;
    top.set_order(order);
    top.set_page_size(kTopCampaigns);
    top.set_samples(1);
    auto listed = ListClusters(top);
    if (!listed.ok()) return listed.status();
    for (v1::Cluster& c : *listed->mutable_clusters()) {
      if (order == v1::CLUSTER_ORDER_SIZE) {
        *campaigns->add_top_by_size() = std::move(c);
      } else if (c.growth() > 0) {  // growing: joined this hour or the last
        *campaigns->add_top_by_growth() = std::move(c);
      }
    }
  }
  return response;
}

absl::StatusOr<v1::GetTimeSeriesResponse> SqlFlagStore::GetTimeSeries(
    const v1::GetTimeSeriesRequest& request) {
  int64_t width = kSecondsPerMinute;
  int64_t default_span = kSecondsPerDay;
  switch (request.granularity()) {
    case v1::GRANULARITY_MINUTE:
      break;
    case v1::GRANULARITY_HOUR:
      width = kSecondsPerHour;
      break;
    case v1::GRANULARITY_DAY:
      width = kSecondsPerDay;
      default_span = 30 * kSecondsPerDay;
      break;
    default:
      return absl::InvalidArgumentError("unknown granularity");
  }
  auto range = RangeOf(request.filter(), Now(), default_span);
  if (!range.ok()) return range.status();
  if (!request.filter().has_end()) {
    // Without an end the series closes with the bucket holding "now", so a
    // default series always has the same number of buckets (1,440 minutes,
    // 24 hours or 30 days) whatever second it is asked at.
    range->end = (range->end + width - 1) / width * width;
    if (!request.filter().has_start()) range->start = range->end - default_span;
  }
  const int64_t first = range->start / width * width;
  const int64_t buckets = (range->end - first + width - 1) / width;
  if (buckets > kMaxBuckets) {
    return absl::InvalidArgumentError(StrCat("the range has ", buckets,
                                             " buckets; at most ", kMaxBuckets,
                                             " (use a coarser granularity)"));
  }
  v1::GetTimeSeriesResponse response;
  for (int64_t b = 0; b < buckets; ++b) {
    v1::TimeBucket* bucket = response.add_buckets();
    bucket->mutable_start()->set_seconds(first + b * width);
    *bucket->mutable_counts() = EmptyCounts();
  }
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    std::vector<SqlValue> params = {SqlValue::Int(range->start),
                                    SqlValue::Int(range->end),
                                    SqlValue::Int(width)};
    std::string sql =
        "SELECT (minute / $3) * $3 AS bucket, metric, category, SUM(n) FROM "
        "stat_counts WHERE minute >= $1 AND minute < $2";
    if (!request.filter().source().empty()) {
      sql += " AND source = $4";
      params.push_back(SqlValue::Text(request.filter().source()));
    }
    sql += " GROUP BY bucket, metric, category";
    auto rows = db.Query(sql, params);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) {
      const int64_t index = (row[0].AsInt() - first) / width;
      if (index < 0 || index >= buckets) continue;
      AddCount(
          row[1].AsString(), row[2].AsString(), row[3].AsInt(),
          response.mutable_buckets(static_cast<int>(index))->mutable_counts());
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::GetTopTermsResponse> SqlFlagStore::GetTopTerms(
    const v1::GetTopTermsRequest& request) {
  if (request.limit() < 0 || request.limit() > kMaxTopTerms) {
    return absl::InvalidArgumentError(
        StrCat("limit must be between 1 and ", kMaxTopTerms));
  }
  const int limit = request.limit() == 0 ? kDefaultTopTerms : request.limit();
  auto range = RangeOf(request.filter(), Now());
  if (!range.ok()) return range.status();
  auto categories = Categories(request.categories());
  if (!categories.ok()) return categories.status();
  v1::GetTopTermsResponse response;
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    for (const std::string& category : *categories) {
      std::vector<SqlValue> params = {
          SqlValue::Text(category), SqlValue::Int(range->start),
          SqlValue::Int(range->end), SqlValue::Int(limit)};
      std::string sql =
          "SELECT term, SUM(n) AS hits FROM term_counts WHERE category = $1 "
          "AND minute >= $2 AND minute < $3";
      if (!request.filter().source().empty()) {
        sql += " AND source = $5";
        params.push_back(SqlValue::Text(request.filter().source()));
      }
      // Ties in byte order on both backends.
      sql += dialect_ == SqlDialect::kPostgres
                 ? " GROUP BY term ORDER BY hits DESC, term COLLATE \"C\" "
                   "LIMIT $4"
                 : " GROUP BY term ORDER BY hits DESC, term LIMIT $4";
      auto rows = db.Query(sql, params);
      if (!rows.ok()) return rows.status();
      for (const SqlRow& row : *rows) {
        v1::TermCount* term = response.add_terms();
        term->set_category(category);
        term->set_term(row[0].AsString());
        term->set_hits(row[1].AsInt());
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::GetReviewOutcomesResponse> SqlFlagStore::GetReviewOutcomes(
    const v1::GetReviewOutcomesRequest& request) {
  auto range = RangeOf(request.filter(), Now());
  if (!range.ok()) return range.status();
  auto categories = Categories(request.categories());
  if (!categories.ok()) return categories.status();
  const std::set<std::string> wanted(categories->begin(), categories->end());
  std::map<std::string, Tally> by_category;
  std::map<std::pair<std::string, std::string>, Tally> by_term;
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    std::vector<SqlValue> params = {
        SqlValue::Int(range->start * kMicrosPerSecond),
        SqlValue::Int(range->end * kMicrosPerSecond)};
    std::string sql =
        "SELECT status, COALESCE(decided_verdict, verdict) FROM items WHERE "
        "queue = 'flagged' AND status IN ('actioned', 'dismissed', "
        "'escalated') AND decided_at >= $1 AND decided_at < $2";
    if (!request.filter().source().empty()) {
      sql += " AND source = $3";
      params.push_back(SqlValue::Text(request.filter().source()));
    }
    auto rows = db.Query(sql, params);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) {
      const std::string& decided = row[0].AsString();
      v1::Verdict verdict;
      if (!verdict.ParseFromString(row[1].AsString())) continue;
      auto count = [&decided](Tally& t) {
        if (decided == "actioned") ++t.actioned;
        if (decided == "dismissed") ++t.dismissed;
        if (decided == "escalated") ++t.escalated;
      };
      for (const std::string& c : verdict.flagged_categories()) {
        if (wanted.count(c)) count(by_category[c]);
      }
      std::set<std::pair<std::string, std::string>> terms;  // once per item
      for (const v1::Hit& hit : verdict.hits()) {
        if (wanted.count(hit.category())) {
          terms.emplace(hit.category(), hit.term());
        }
      }
      for (const auto& key : terms) count(by_term[key]);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  v1::GetReviewOutcomesResponse response;
  for (const std::string& category : *categories) {
    *response.add_categories() = ToOutcome(category, "", by_category[category]);
  }
  std::vector<v1::Outcome> terms;
  for (const auto& [key, tally] : by_term) {
    terms.push_back(ToOutcome(key.first, key.second, tally));
  }
  // Misfiring entries first: lowest precision, then most decisions.
  std::stable_sort(terms.begin(), terms.end(),
                   [](const v1::Outcome& a, const v1::Outcome& b) {
                     if (a.has_precision() != b.has_precision()) {
                       return a.has_precision();
                     }
                     if (a.has_precision() && a.precision() != b.precision()) {
                       return a.precision() < b.precision();
                     }
                     return a.actioned() + a.dismissed() >
                            b.actioned() + b.dismissed();
                   });
  for (v1::Outcome& o : terms) *response.add_terms() = std::move(o);
  return response;
}

absl::StatusOr<v1::GetSampleEstimatesResponse> SqlFlagStore::GetSampleEstimates(
    const v1::GetSampleEstimatesRequest& request) {
  auto range = RangeOf(request.filter(), Now());
  if (!range.ok()) return range.status();
  // Posts analyzed and flagged, flags per category, and the decisions on
  // flagged items (precision) in the range.
  v1::GetSummaryRequest summary_request;
  *summary_request.mutable_filter() = request.filter();
  auto summary = GetSummary(summary_request);
  if (!summary.ok()) return summary.status();
  SampleTallies tallies;
  tallies.unflagged =
      summary->total().posts_analyzed() - summary->total().posts_flagged();
  for (int c = 0; c < match::kNumCategories; ++c) {
    const std::string name(match::kCategoryNames[c]);
    auto it = summary->total().flags_by_category().find(name);
    if (it != summary->total().flags_by_category().end()) {
      tallies.flagged_by_category[c] = it->second;
    }
  }
  for (const v1::Outcome& o : summary->outcomes()) {
    if (auto c = match::ParseCategory(o.category())) {
      tallies.actioned_by_category[static_cast<int>(*c)] = o.actioned();
      tallies.dismissed_by_category[static_cast<int>(*c)] = o.dismissed();
    }
  }
  // The sampled items of the range (by when they were sampled) and their
  // labels.
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    std::vector<SqlValue> params = {
        SqlValue::Int(range->start * kMicrosPerSecond),
        SqlValue::Int(range->end * kMicrosPerSecond)};
    std::string sql =
        "SELECT status, decided_categories, COUNT(*) FROM items WHERE queue = "
        "'sample' AND first_flagged_at >= $1 AND first_flagged_at < $2";
    if (!request.filter().source().empty()) {
      sql += " AND source = $3";
      params.push_back(SqlValue::Text(request.filter().source()));
    }
    sql += " GROUP BY status, decided_categories";
    auto rows = db.Query(sql, params);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) {
      const std::string& item_status = row[0].AsString();
      const int64_t n = row[2].AsInt();
      tallies.sampled += n;
      if (item_status != "actioned" && item_status != "dismissed") continue;
      tallies.labeled += n;
      if (item_status != "actioned") continue;
      tallies.labeled_harmful += n;
      const int64_t mask = row[1].AsInt();
      for (int c = 0; c < match::kNumCategories; ++c) {
        if (mask & (int64_t{1} << c)) tallies.harmful_by_category[c] += n;
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return EstimateFromSample(tallies);
}

}  // namespace vigil::service
