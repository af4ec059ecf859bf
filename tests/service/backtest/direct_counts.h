// What a backtest must report, computed the plain way: every text analyzed
// with both analyzers, one after the other. The backtest test and
// bench/backtest_bench.cc check RunBacktest's report against it.
#ifndef VIGIL_TESTS_SERVICE_BACKTEST_DIRECT_COUNTS_H_
#define VIGIL_TESTS_SERVICE_BACKTEST_DIRECT_COUNTS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "analyzers/analyzer.h"
#include "analyzers/match/category.h"
#include "vigil/v1/admin.pb.h"

namespace vigil::testing {

struct DirectCounts {
  std::array<int64_t, match::kNumCategories> flagged_before{}, flagged_after{},
      gained{}, lost{};
  // Indexes into the texts.
  std::vector<size_t> newly_flagged, no_longer_flagged;

  // True when `report` has these per-category counts and item totals.
  bool Matches(const v1::BacktestReport& report) const {
    bool same =
        report.newly_flagged() == static_cast<int64_t>(newly_flagged.size()) &&
        report.no_longer_flagged() ==
            static_cast<int64_t>(no_longer_flagged.size());
    for (int c = 0; c < match::kNumCategories; ++c) {
      const v1::CategoryBacktest& got = report.categories(c);
      same = same && got.flagged_before() == flagged_before[c] &&
             got.flagged_after() == flagged_after[c] &&
             got.gained() == gained[c] && got.lost() == lost[c];
    }
    return same;
  }
};

inline DirectCounts CountDirectly(const Analyzer& before, const Analyzer& after,
                                  const std::vector<std::string>& texts) {
  DirectCounts counts;
  for (size_t i = 0; i < texts.size(); ++i) {
    const uint32_t b = before.Analyze(texts[i]).verdict.flagged_categories;
    const uint32_t a = after.Analyze(texts[i]).verdict.flagged_categories;
    for (int c = 0; c < match::kNumCategories; ++c) {
      const uint32_t bit = 1u << c;
      counts.flagged_before[c] += (b & bit) != 0;
      counts.flagged_after[c] += (a & bit) != 0;
      counts.gained[c] += !(b & bit) && (a & bit);
      counts.lost[c] += (b & bit) && !(a & bit);
    }
    if (!b && a) counts.newly_flagged.push_back(i);
    if (b && !a) counts.no_longer_flagged.push_back(i);
  }
  return counts;
}

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_SERVICE_BACKTEST_DIRECT_COUNTS_H_
