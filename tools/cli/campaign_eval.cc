#include "tools/cli/campaign_eval.h"

#include <map>
#include <utility>

#include "service/store/sql_flag_store.h"

namespace vigil::cli {
namespace {

int64_t Pairs(int64_t n) { return n * (n - 1) / 2; }

}  // namespace

std::vector<std::optional<cluster::Fingerprint>> Fingerprints(
    const Analyzer& analyzer, const CampaignSet& set) {
  std::vector<std::optional<cluster::Fingerprint>> out;
  out.reserve(set.posts.size());
  for (const CampaignPost& p : set.posts) {
    out.push_back(cluster::Fingerprint::Of(analyzer.Read(p.text)));
  }
  return out;
}

absl::StatusOr<GroupingScore> ScoreGrouping(
    const CampaignSet& set,
    const std::vector<std::optional<cluster::Fingerprint>>& fingerprints,
    double threshold) {
  service::SqlFlagStore::Options options;
  // One connection: every connection to ":memory:" is a database of its own.
  options.connect = [] { return service::OpenSqlite(":memory:"); };
  options.pool_size = 1;
  options.cluster_threshold = threshold;
  auto store = service::SqlFlagStore::Open(std::move(options));
  if (!store.ok()) return store.status();
  constexpr size_t kBatch = 10;
  std::vector<service::FlaggedPost> batch;
  for (size_t i = 0; i < set.posts.size(); ++i) {
    service::FlaggedPost& p = batch.emplace_back();
    p.post.set_source("eval");
    p.post.set_id(std::to_string(i));
    p.post.set_text(set.posts[i].text);
    p.verdict.set_flagged(true);
    p.verdict.add_flagged_categories(set.posts[i].category);
    (*p.verdict.mutable_scores())[set.posts[i].category] = 0.9;
    p.fingerprint = fingerprints[i];
    if (batch.size() == kBatch || i + 1 == set.posts.size()) {
      if (absl::Status s = (*store)->RecordFlagged(batch); !s.ok()) return s;
      batch.clear();
    }
  }
  // Each post's cluster (0: none).
  std::vector<int64_t> cluster_of(set.posts.size(), 0);
  v1::ListQueueRequest request;
  request.set_page_size(500);
  while (true) {
    auto page = (*store)->ListQueue(request);
    if (!page.ok()) return page.status();
    for (const v1::ReviewItem& item : page->items()) {
      cluster_of[std::stoul(item.post().id())] = item.cluster_id();
    }
    if (page->next_page_token().empty()) break;
    request.set_page_token(page->next_page_token());
  }

  GroupingScore score;
  score.threshold = threshold;
  std::map<int, int64_t> per_campaign;
  std::map<int64_t, int64_t> per_cluster;
  std::map<std::pair<int64_t, int>, int64_t> per_cluster_campaign;
  std::map<int64_t, bool> has_copy;
  for (size_t i = 0; i < set.posts.size(); ++i) {
    const CampaignPost& p = set.posts[i];
    if (p.campaign >= 0) {
      ++per_campaign[p.campaign];
      if (!fingerprints[i]) ++score.copies_unfingerprinted;
    }
    if (cluster_of[i] == 0) continue;
    ++per_cluster[cluster_of[i]];
    if (p.campaign >= 0) {
      ++per_cluster_campaign[{cluster_of[i], p.campaign}];
      has_copy[cluster_of[i]] = true;
    }
  }
  for (const auto& [c, n] : per_campaign) score.true_pairs += Pairs(n);
  for (const auto& [c, n] : per_cluster) score.predicted_pairs += Pairs(n);
  for (const auto& [key, n] : per_cluster_campaign) {
    score.correct_pairs += Pairs(n);
  }
  score.clusters = static_cast<int64_t>(per_cluster.size());
  for (size_t i = 0; i < set.posts.size(); ++i) {
    if (set.posts[i].campaign >= 0) continue;
    ++score.unrelated;
    score.unrelated_fingerprinted += fingerprints[i].has_value();
    if (cluster_of[i] == 0) continue;
    ++score.unrelated_clustered;
    score.unrelated_joined_campaign += has_copy[cluster_of[i]];
  }
  // Recall per edit, over the pairs of copies of one campaign.
  std::map<int, std::vector<size_t>> copies;
  for (size_t i = 0; i < set.posts.size(); ++i) {
    if (set.posts[i].campaign >= 0) copies[set.posts[i].campaign].push_back(i);
  }
  for (const auto& [c, members] : copies) {
    for (size_t a = 0; a < members.size(); ++a) {
      for (size_t b = a + 1; b < members.size(); ++b) {
        const size_t i = members[a], j = members[b];
        const uint32_t edits = set.posts[i].edits | set.posts[j].edits;
        const bool grouped =
            cluster_of[i] != 0 && cluster_of[i] == cluster_of[j];
        for (int e = 0; e < kNumCampaignEdits; ++e) {
          if (!(edits & (1u << e))) continue;
          ++score.edit_pairs[e];
          score.edit_grouped[e] += grouped;
        }
      }
    }
  }
  score.precision = score.predicted_pairs == 0
                        ? 1.0
                        : static_cast<double>(score.correct_pairs) /
                              static_cast<double>(score.predicted_pairs);
  score.recall = score.true_pairs == 0
                     ? 0.0
                     : static_cast<double>(score.correct_pairs) /
                           static_cast<double>(score.true_pairs);
  score.cluster_of = std::move(cluster_of);
  score.f1 = score.precision + score.recall == 0
                 ? 0
                 : 2 * score.precision * score.recall /
                       (score.precision + score.recall);
  const double b2 = 0.25;  // beta squared, beta = 0.5
  score.f_half = score.precision + score.recall == 0
                     ? 0
                     : (1 + b2) * score.precision * score.recall /
                           (b2 * score.precision + score.recall);
  return score;
}

}  // namespace vigil::cli
