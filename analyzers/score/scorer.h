// Scorer: turns hits into per-category scores and flags.
//
// Curated terms: per category c, score = logistic(bias_c + sum of the
// weights of the distinct terms of c that were hit); flagged when score >=
// threshold_c (both from the lexicon manifest). A term hit several times
// counts once, so repeating a word does not inflate the score, and a hit
// inside a longer hit ("ngu" in "thằng ngu", the sexual "địt" in the
// exclamation "địt mẹ") is dropped: the longer, more specific term speaks
// for the span.
//
// Learned terms (`vigil train`), for categories that have them: learned
// score = logistic(learned_bias_c + sum of the weights of the distinct
// learned n-grams present, negative ones included); the category is also
// flagged when it reaches learned_threshold_c. The reported score is the
// larger of the two; the hits list the curated hits and, for flagged
// categories, the learned n-grams of weight >=
// match::kMinExplainedLearnedWeight, strongest first.
//
// Thread safety: pure functions.
#ifndef VIGIL_ANALYZERS_SCORE_SCORER_H_
#define VIGIL_ANALYZERS_SCORE_SCORER_H_

#include <array>
#include <cstdint>
#include <vector>

#include "analyzers/match/category.h"
#include "analyzers/match/lexicon.h"
#include "analyzers/match/matcher.h"

namespace vigil::score {

struct Verdict {
  bool flagged = false;             // any category flagged
  uint32_t flagged_categories = 0;  // bit i = match::Category i
  std::array<double, match::kNumCategories> scores{};
  // The learned models' scores (0 for categories without one).
  std::array<double, match::kNumCategories> learned_scores{};
  // The hits that count, strongest first (weight, then position).
  std::vector<match::Hit> hits;

  bool IsFlagged(match::Category c) const {
    return flagged_categories & (1u << static_cast<int>(c));
  }
};

// Scores `hits` and `learned_sums` (from Matcher::Match) under `lexicon`'s
// settings.
Verdict Score(const match::Lexicon& lexicon, std::vector<match::Hit> hits,
              const match::LearnedSums& learned_sums);

}  // namespace vigil::score

#endif  // VIGIL_ANALYZERS_SCORE_SCORER_H_
