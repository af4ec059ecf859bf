// Scorer: turns hits into per-category scores, severities and flags.
//
// Curated terms: per category c, score = logistic(bias_c + sum of the
// weights of the distinct terms of c that were hit). A term hit several
// times counts once, so repeating a word does not inflate the score, and a
// hit inside a longer hit ("ngu" in "thằng ngu", the sexual "địt" in the
// exclamation "địt mẹ") is dropped: the longer, more specific term speaks
// for the span.
//
// Learned terms (`vigil train`), for categories that have them: learned
// score = logistic(learned_bias_c + sum of the weights of the distinct
// learned n-grams present, negative ones included). The reported score is
// the larger of the two.
//
// Severity: a category's severity is the highest level s at which its
// evidence of severity >= s alone reaches the threshold (see scorer.cc);
// the category is flagged when that severity reaches the manifest's
// min_severity (default moderate: "vl" alone is mild and does not flag).
//
// Explanations: Verdict::hits lists only the hits of flagged categories:
// their curated hits and the learned n-grams that carry a real share of the
// learned evidence (at most kMaxLearnedHits per category). Statistics that
// count terms count these.
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
  // Severity per category (kNone without evidence reaching the threshold).
  std::array<match::Severity, match::kNumCategories> severities{};
  // The parts it is made of, for re-deciding under other learned thresholds
  // (`vigil eval --crossfit` picks them): the curated evidence's severity,
  // and the learned score without mild n-grams.
  std::array<match::Severity, match::kNumCategories> curated_severities{};
  std::array<double, match::kNumCategories> learned_moderate_scores{};
  // The hits that explain the flagged categories, strongest first (weight,
  // then position).
  std::vector<match::Hit> hits;

  bool IsFlagged(match::Category c) const {
    return flagged_categories & (1u << static_cast<int>(c));
  }
};

// Learned n-grams with at least this weight may explain a flag (the long tail
// of small weights only adds to the sums); the analyzer asks the matcher for
// exactly these as hits (Matcher::Options::min_learned_hit_weight).
inline constexpr double kMinExplainedLearnedWeight = 0.5;

// A learned n-gram explains a flag only with at least this share of the
// weights of its category's learned hits (so function words never do).
inline constexpr double kMinLearnedShare = 0.1;
// At most this many learned n-grams explain one category.
inline constexpr int kMaxLearnedHits = 6;

// `hits` without those inside a longer hit ("lồn" inside "vãi cả lồn", the
// sexual "địt" inside the exclamation "địt mẹ"): the longer, more specific
// term speaks for the span. A frame of another category (Term::frame, an
// open regex such as spam's "ai cần ... ib") does not swallow a hit: it
// surrounds the words rather than reading them more specifically, so "ai
// cần gái gọi thì ib" keeps its sexual "gái gọi". Curated hits only; order
// kept.
std::vector<match::Hit> DropNested(const match::Lexicon& lexicon,
                                   std::vector<match::Hit> hits);

// Scores `hits` and `learned_sums` (from Matcher::Match) under `lexicon`'s
// settings.
Verdict Score(const match::Lexicon& lexicon, std::vector<match::Hit> hits,
              const match::LearnedSums& learned_sums);

}  // namespace vigil::score

#endif  // VIGIL_ANALYZERS_SCORE_SCORER_H_
