// Scoring: evidence (hits and learned sums) to per-category scores,
// severities and flags, and the hits that explain them.
//
// Severity. Every piece of evidence has a severity: a curated hit its
// term's, a learned n-gram moderate (mild inside a mild curated hit, see
// match::LearnedSums). A category's severity is the highest level s at which
// the evidence of severity >= s alone reaches the category's threshold
// (curated: logistic(bias + sum of those weights); learned: its model's
// score without the mild n-grams for moderate, with them for mild; a
// learned model alone is never severe). The category is flagged when that
// severity reaches its min_severity. The reported score is the score of all
// the evidence, so "profanity 0.97, mild, not flagged" says what happened.
//
// Explanations. Only flagged categories' hits are reported: their counted
// curated hits, and learned n-grams that carry a real share of the learned
// evidence (weight >= kMinExplainedLearnedWeight and >= kMinLearnedShare of
// the category's reported learned weights), are not inside a curated hit of
// the same category, at most kMaxLearnedHits per category.
#include "analyzers/score/scorer.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "analyzers/util/logistic.h"

namespace vigil::score {
namespace {

// Logistic() of the few distinct arguments one verdict needs. Most
// categories of most posts have no evidence, so their scores are the
// logistic of a handful of biases: remembering them saves most of the ~50
// exp() calls of a verdict (measured: exp was 7% of the analyze path).
class LogisticMemo {
 public:
  double operator()(double x) {
    for (int i = 0; i < size_; ++i) {
      if (x_[i] == x) return y_[i];
    }
    const double y = Logistic(x);
    if (size_ < kCapacity) {
      x_[size_] = x;
      y_[size_] = y;
      ++size_;
    }
    return y;
  }

 private:
  static constexpr int kCapacity = 16;
  std::array<double, kCapacity> x_, y_;
  int size_ = 0;
};

}  // namespace

std::vector<match::Hit> DropNested(const match::Lexicon& lexicon,
                                   std::vector<match::Hit> hits) {
  auto term = [&](const match::Hit& h) -> const match::Term& {
    return lexicon.terms()[h.term];
  };
  std::vector<match::Hit> kept;
  for (const match::Hit& h : hits) {
    bool nested = false;
    for (const match::Hit& o : hits) {
      // Joined letters ("đ.m") give every hit of the run the same span:
      // there the term with more syllables is the longer one.
      const auto size = [&](const match::Hit& x) {
        return std::pair(x.last_token - x.first_token,
                         match::SyllableCount(term(x)));
      };
      const bool may_swallow =
          !term(o).frame || term(o).category == term(h).category;
      if (&o != &h && may_swallow && o.first_token <= h.first_token &&
          h.last_token <= o.last_token && size(o) > size(h)) {
        nested = true;
        break;
      }
    }
    if (!nested) kept.push_back(h);
  }
  return kept;
}

Verdict Score(const match::Lexicon& lexicon, std::vector<match::Hit> hits,
              const match::LearnedSums& learned_sums) {
  using match::Severity;
  Verdict v;
  auto term = [&](const match::Hit& h) -> const match::Term& {
    return lexicon.terms()[h.term];
  };
  auto category_of = [&](const match::Hit& h) {
    return static_cast<int>(term(h).category);
  };
  // Learned terms score through their category's model (the matcher summed
  // the distinct n-grams); their hits only explain.
  std::vector<match::Hit> learned_hits;
  for (const match::Hit& h : hits) {
    if (term(h).learned) learned_hits.push_back(h);
  }
  std::erase_if(hits, [&](const match::Hit& h) { return term(h).learned; });

  hits = DropNested(lexicon, std::move(hits));
  // at_least[c][s]: weights of the distinct curated terms of category c
  // with severity >= s.
  std::array<std::array<double, match::kNumSeverities>, match::kNumCategories>
      at_least{};
  std::vector<int32_t> counted;
  for (const match::Hit& h : hits) {
    if (std::find(counted.begin(), counted.end(), h.term) != counted.end()) {
      continue;  // curated hits are few: a linear scan is fine
    }
    counted.push_back(h.term);
    for (int s = 1; s <= static_cast<int>(h.severity); ++s) {
      at_least[category_of(h)][s] += term(h).weight;
    }
  }
  LogisticMemo logistic;
  for (int c = 0; c < match::kNumCategories; ++c) {
    const match::CategorySettings& s =
        lexicon.settings(static_cast<match::Category>(c));
    const double curated = logistic(s.bias + at_least[c][1]);
    v.scores[c] = curated;
    Severity severity = Severity::kNone;
    for (int level = match::kNumSeverities - 1; level >= 1; --level) {
      if (logistic(s.bias + at_least[c][level]) >= s.threshold) {
        severity = static_cast<Severity>(level);
        break;
      }
    }
    v.curated_severities[c] = severity;
    if (s.has_learned) {
      const double scale = s.LearnedScale(learned_sums.words);
      const double learned =
          logistic(s.learned_bias + scale * learned_sums.all[c]);
      v.learned_scores[c] = learned;
      v.scores[c] = std::max(curated, learned);
      Severity learned_severity = Severity::kNone;
      v.learned_moderate_scores[c] =
          logistic(s.learned_bias + scale * learned_sums.not_mild[c]);
      if (v.learned_moderate_scores[c] >= s.learned_threshold) {
        learned_severity = Severity::kModerate;
      } else if (learned >= s.learned_threshold) {
        learned_severity = Severity::kMild;
      }
      severity = std::max(severity, learned_severity);
    }
    v.severities[c] = severity;
    if (severity != Severity::kNone && severity >= s.min_severity) {
      v.flagged_categories |= 1u << c;
    }
  }
  v.flagged = v.flagged_categories != 0;

  // Explanations: the curated hits of flagged categories ...
  std::erase_if(hits, [&](const match::Hit& h) {
    return !v.IsFlagged(term(h).category);
  });
  // ... and the learned n-grams that carry a real share of theirs.
  std::array<double, match::kNumCategories> learned_total{};
  for (const match::Hit& h : learned_hits) {
    learned_total[category_of(h)] += term(h).weight;
  }
  std::stable_sort(learned_hits.begin(), learned_hits.end(),
                   [&](const match::Hit& a, const match::Hit& b) {
                     return term(a).weight > term(b).weight;
                   });
  std::array<int, match::kNumCategories> learned_reported{};
  const size_t curated_reported = hits.size();
  for (const match::Hit& h : learned_hits) {
    const int c = category_of(h);
    if (!v.IsFlagged(term(h).category) ||
        learned_reported[c] >= kMaxLearnedHits ||
        term(h).weight < kMinExplainedLearnedWeight ||
        term(h).weight < kMinLearnedShare * learned_total[c]) {
      continue;
    }
    bool covered = false;  // a curated hit of the category says it already
    for (size_t i = 0; i < curated_reported && !covered; ++i) {
      covered = category_of(hits[i]) == c &&
                hits[i].first_token <= h.first_token &&
                h.last_token <= hits[i].last_token;
    }
    if (covered) continue;
    ++learned_reported[c];
    hits.push_back(h);
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [&](const match::Hit& a, const match::Hit& b) {
                     if (term(a).weight != term(b).weight) {
                       return term(a).weight > term(b).weight;
                     }
                     return a.begin < b.begin;
                   });
  v.hits = std::move(hits);
  return v;
}

}  // namespace vigil::score
