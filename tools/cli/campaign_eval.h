// How well the store groups a campaign's copies (`vigil campaigns eval`):
// generated campaigns (campaign_variants.h) mixed with unrelated flagged
// posts go through the real path — the analyzer's reading, the fingerprint,
// and SqlFlagStore's placement on an in-memory SQLite store — and the
// clusters it makes are scored pairwise against the truth.
//
//   CampaignSet set = ...;                      // posts with their campaign
//   auto f = Fingerprints(*analyzer, set);      // once per post
//   auto m = ScoreGrouping(set, f, 0.5);        // one store run
//   m->precision, m->recall, m->unrelated_joined
#ifndef VIGIL_TOOLS_CLI_CAMPAIGN_EVAL_H_
#define VIGIL_TOOLS_CLI_CAMPAIGN_EVAL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analyzers/analyzer.h"
#include "analyzers/cluster/fingerprint.h"
#include "tools/cli/campaign_variants.h"

namespace vigil::cli {

struct CampaignPost {
  std::string text;
  // The campaign it is a copy of; -1 for an unrelated post.
  int campaign = -1;
  uint32_t edits = 0;  // CampaignEdit bits (copies)
  std::string category = "insult";
};

struct CampaignSet {
  std::vector<CampaignPost> posts;  // in the order they are flagged
  int campaigns = 0;
};

// Each post's fingerprint as the analysis service makes it (nullopt: too
// short to have one).
std::vector<std::optional<cluster::Fingerprint>> Fingerprints(
    const Analyzer& analyzer, const CampaignSet& set);

struct GroupingScore {
  double threshold = 0;
  // Pairs of posts the store put in one cluster that are copies of one
  // campaign (precision), and pairs of copies it put in one cluster
  // (recall).
  int64_t true_pairs = 0, predicted_pairs = 0, correct_pairs = 0;
  double precision = 0, recall = 0, f1 = 0;
  // F0.5: precision weighs twice what recall does (a wrong join puts a post
  // under a bulk decision it does not deserve; a missed join costs one more
  // decision). The threshold is picked on it.
  double f_half = 0;
  // Unrelated posts that share a cluster with a campaign's copy, and that
  // are in any cluster; out of how many, and how many have a fingerprint.
  int64_t unrelated = 0, unrelated_fingerprinted = 0;
  int64_t unrelated_joined_campaign = 0, unrelated_clustered = 0;
  // Copies without a fingerprint (fewer than five tokens).
  int64_t copies_unfingerprinted = 0;
  int64_t clusters = 0;
  // Recall over the pairs in which either copy has edit i.
  std::array<int64_t, kNumCampaignEdits> edit_pairs{}, edit_grouped{};
  // Each post's cluster (0: none), in the set's order.
  std::vector<int64_t> cluster_of;
};

// Flags every post of `set` (batches of ten, in order) into a new
// in-memory store placing items at `threshold`, and scores the clusters.
absl::StatusOr<GroupingScore> ScoreGrouping(
    const CampaignSet& set,
    const std::vector<std::optional<cluster::Fingerprint>>& fingerprints,
    double threshold);

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_CAMPAIGN_EVAL_H_
