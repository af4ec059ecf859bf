#include "analyzers/score/scorer.h"

#include <algorithm>
#include <cmath>

namespace vigil::score {

Verdict Score(const match::Lexicon& lexicon, std::vector<match::Hit> hits,
              const match::LearnedSums& learned_sums) {
  Verdict v;
  auto term = [&](const match::Hit& h) -> const match::Term& {
    return lexicon.terms()[h.term];
  };
  // Learned terms score through their category's model (the matcher summed
  // the distinct n-grams); their hits only explain.
  std::vector<match::Hit> learned_hits;
  for (const match::Hit& h : hits) {
    if (term(h).learned) learned_hits.push_back(h);
  }
  std::erase_if(hits, [&](const match::Hit& h) { return term(h).learned; });

  // Curated terms: a hit inside a longer hit ("lồn" inside "vãi cả lồn",
  // the sexual "địt" inside the exclamation "địt mẹ") adds nothing the
  // longer, more specific term did not say: drop it.
  std::vector<match::Hit> kept;
  for (const match::Hit& h : hits) {
    bool nested = false;
    for (const match::Hit& o : hits) {
      // Joined letters ("đ.m") give every hit of the run the same span:
      // there the term with more syllables is the longer one.
      const auto size = [&](const match::Hit& x) {
        return std::pair(x.last_token - x.first_token,
                         term(x).syllables.size());
      };
      if (&o != &h && o.first_token <= h.first_token &&
          h.last_token <= o.last_token && size(o) > size(h)) {
        nested = true;
        break;
      }
    }
    if (!nested) kept.push_back(h);
  }
  hits = std::move(kept);
  std::array<double, match::kNumCategories> sum{};
  std::vector<int32_t> counted;
  for (const match::Hit& h : hits) {
    if (std::find(counted.begin(), counted.end(), h.term) != counted.end()) {
      continue;  // curated hits are few: a linear scan is fine
    }
    counted.push_back(h.term);
    sum[static_cast<int>(term(h).category)] += term(h).weight;
  }
  for (int c = 0; c < match::kNumCategories; ++c) {
    const match::CategorySettings& s =
        lexicon.settings(static_cast<match::Category>(c));
    const double curated = 1.0 / (1.0 + std::exp(-(s.bias + sum[c])));
    bool flagged = curated >= s.threshold;
    v.scores[c] = curated;
    if (s.has_learned) {
      const double learned =
          1.0 / (1.0 + std::exp(-(s.learned_bias + learned_sums[c])));
      v.learned_scores[c] = learned;
      flagged = flagged || learned >= s.learned_threshold;
      v.scores[c] = std::max(curated, learned);
    }
    if (flagged) v.flagged_categories |= 1u << c;
  }
  v.flagged = v.flagged_categories != 0;
  // Learned n-grams explain a flag: list those of flagged categories that
  // carry real weight, not the long tail of small coefficients.
  for (const match::Hit& h : learned_hits) {
    if (term(h).weight >= match::kMinExplainedLearnedWeight &&
        (v.flagged_categories & (1u << static_cast<int>(term(h).category)))) {
      hits.push_back(h);
    }
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
