// What `vigil eval` keeps of each verdict, the tallies per dataset and
// copy, and the report it prints from them.
#ifndef VIGIL_TOOLS_CLI_EVAL_REPORT_H_
#define VIGIL_TOOLS_CLI_EVAL_REPORT_H_

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzers/analyzer.h"
#include "analyzers/score/metrics.h"
#include "tools/cli/datasets.h"
#include "tools/cli/eval_variants.h"

namespace vigil::cli {

// What a row's verdict says, reduced to what the report needs.
struct Outcome {
  uint32_t flagged = 0;
  std::vector<std::pair<uint32_t, uint32_t>> viHsd_char_spans;
  // For threshold tuning: the learned scores (all / without mild) of the
  // insult and profanity models, and the curated severities.
  std::array<match::Severity, match::kNumCategories> curated{};
  std::array<double, match::kNumCategories> learned{};
  std::array<double, match::kNumCategories> learned_moderate{};
};

// The outcome of `text` under `analyzer`.
Outcome Judge(const Analyzer& analyzer, std::string_view text);

// The flags `o` would have with learned thresholds `t` (per category) under
// `lexicon`'s other settings: the scorer's rule (scorer.h), re-applied.
uint32_t FlagsAt(const match::Lexicon& lexicon, const Outcome& o,
                 const std::array<double, match::kNumCategories>& t);

// Per-dataset tallies of one variant.
struct Tally {
  score::Confusion three{3}, binary{2};
  long span_tp = 0, span_fp = 0, span_fn = 0;
  // synthetic: per category, positives and those flagged with it; hard
  // negatives and those flagged at all.
  std::array<long, match::kNumCategories> positives{}, found{};
  long hard_negatives = 0, hard_flagged = 0;
  size_t rows = 0;

  // Counts `row` of `d` as judged `o`.
  void Add(const Dataset& d, const DatasetRow& row, const Outcome& o);
  // False-positive rate of the binary decision.
  double Fpr() const {
    const long neg = binary.Support(0);
    return neg ? 1.0 - binary.Recall(0) : 0;
  }
};

// `x` with four decimals.
std::string F4(double x);

// Prints `d`'s report: its figures as written, then the binary figures of
// every copy (`tallies` in Variant order); `excluded` rows were left out
// as text the model learned from.
void PrintDataset(std::ostream& out, const Dataset& d,
                  const std::array<Tally, kNumVariants>& tallies,
                  size_t excluded);

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_EVAL_REPORT_H_
