#include "service/store/sample_estimates.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace vigil::service {

std::pair<double, double> WilsonInterval(int64_t k, int64_t n) {
  constexpr double z = 1.959963984540054;  // the normal's 97.5% quantile
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double center = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half =
      z / (1 + z2 / nn) * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

v1::GetSampleEstimatesResponse EstimateFromSample(const SampleTallies& t) {
  v1::GetSampleEstimatesResponse r;
  r.set_unflagged(t.unflagged);
  r.set_sampled(t.sampled);
  r.set_labeled(t.labeled);
  r.set_labeled_harmful(t.labeled_harmful);
  const double unflagged = static_cast<double>(t.unflagged);
  for (int c = 0; c < match::kNumCategories; ++c) {
    v1::SampleEstimate* e = r.add_categories();
    e->set_category(std::string(match::kCategoryNames[c]));
    e->set_labeled_harmful(t.harmful_by_category[c]);
    e->set_flagged(t.flagged_by_category[c]);
    const bool sample = t.labeled > 0;
    if (sample) {
      const auto [low, high] =
          WilsonInterval(t.harmful_by_category[c], t.labeled);
      e->set_prevalence(static_cast<double>(t.harmful_by_category[c]) /
                        static_cast<double>(t.labeled));
      e->set_prevalence_low(low);
      e->set_prevalence_high(high);
      e->set_estimated_missed(e->prevalence() * unflagged);
    }
    const int64_t decided =
        t.actioned_by_category[c] + t.dismissed_by_category[c];
    if (decided == 0) continue;
    const auto [q_low, q_high] =
        WilsonInterval(t.actioned_by_category[c], decided);
    e->set_precision(static_cast<double>(t.actioned_by_category[c]) /
                     static_cast<double>(decided));
    if (!sample) continue;
    const double flagged = static_cast<double>(t.flagged_by_category[c]);
    // recall = caught / (caught + missed); 0/0 (nothing flagged, nothing
    // missed) is left unset.
    auto recall = [&](double precision, double prevalence, double* out) {
      const double caught = precision * flagged;
      const double missed = prevalence * unflagged;
      if (caught + missed <= 0) return false;
      *out = caught / (caught + missed);
      return true;
    };
    double point = 0, low = 0, high = 0;
    if (recall(e->precision(), e->prevalence(), &point) &&
        recall(q_low, e->prevalence_high(), &low) &&
        recall(q_high, e->prevalence_low(), &high)) {
      e->set_recall(point);
      e->set_recall_low(low);
      e->set_recall_high(high);
    }
  }
  return r;
}

}  // namespace vigil::service
