// Prevalence and recall from the quality sample (stats.proto,
// GetSampleEstimates): pure arithmetic over counts the store gathers, so that
// it can be checked by hand.
//
// The sample is a uniform random share of the posts that were not flagged
// (a keyed hash of source and id decides, service/sampler.h). Among the n
// sampled posts analysts labeled, k_c were harmful in category c, so the
// prevalence of c among unflagged posts is p_c = k_c / n, and about
// p_c * U of the U unflagged posts of the range were missed harms of c. Of
// the F_c posts flagged in c, analysts' decisions say a share q_c (their
// precision) was right, so about q_c * F_c harms of c were caught, and
// recall_c = q_c F_c / (q_c F_c + p_c U). Each share gets a 95% Wilson score
// interval; the recall interval pairs the pessimistic ends (low precision,
// high prevalence) and the optimistic ones. A post flagged in another
// category but harmful in c counts neither as caught nor as missed for c.
//
// Example:
//   SampleTallies t;
//   t.unflagged = 100000; t.sampled = 1000; t.labeled = 400;
//   t.harmful_by_category[insult] = 4;       // 1% of the labeled sample
//   t.flagged_by_category[insult] = 3000;
//   t.actioned_by_category[insult] = 90; t.dismissed_by_category[insult] = 10;
//   v1::GetSampleEstimatesResponse r = EstimateFromSample(t);
//   // insult: prevalence 0.01, missed 1000, recall 2700 / 3700 = 0.73
//
// Thread safety: pure functions.
#ifndef VIGIL_SERVICE_STORE_SAMPLE_ESTIMATES_H_
#define VIGIL_SERVICE_STORE_SAMPLE_ESTIMATES_H_

#include <array>
#include <cstdint>
#include <utility>

#include "analyzers/match/category.h"
#include "vigil/v1/stats.pb.h"

namespace vigil::service {

// The counts of one range (and source), by category index.
struct SampleTallies {
  int64_t unflagged = 0;        // posts analyzed and not flagged
  int64_t sampled = 0;          // sampled items
  int64_t labeled = 0;          // of them, decided actioned or dismissed
  int64_t labeled_harmful = 0;  // of them, actioned
  std::array<int64_t, match::kNumCategories> harmful_by_category{};
  std::array<int64_t, match::kNumCategories> flagged_by_category{};
  std::array<int64_t, match::kNumCategories> actioned_by_category{};
  std::array<int64_t, match::kNumCategories> dismissed_by_category{};
};

// The 95% Wilson score interval of k successes in n trials (n > 0).
std::pair<double, double> WilsonInterval(int64_t k, int64_t n);

// The response for `tallies`: every category in canonical order.
v1::GetSampleEstimatesResponse EstimateFromSample(const SampleTallies& tallies);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_SAMPLE_ESTIMATES_H_
