#include "analyzers/score/scorer.h"

#include <algorithm>
#include <cmath>

namespace vigil::score {

Verdict Score(const match::Lexicon& lexicon, std::vector<match::Hit> hits) {
  Verdict v;
  // A hit inside a longer hit ("lồn" inside "vãi cả lồn", the sexual "địt"
  // inside the exclamation "địt mẹ") adds nothing the longer, more specific
  // term did not say: drop it.
  std::vector<match::Hit> kept;
  for (const match::Hit& h : hits) {
    bool nested = false;
    for (const match::Hit& o : hits) {
      // Joined letters ("đ.m") give every hit of the run the same span:
      // there the term with more syllables is the longer one.
      const auto size = [&](const match::Hit& x) {
        return std::pair(x.last_token - x.first_token,
                         lexicon.terms()[x.term].syllables.size());
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
      continue;
    }
    counted.push_back(h.term);
    const match::Term& term = lexicon.terms()[h.term];
    sum[static_cast<int>(term.category)] += term.weight;
  }
  for (int c = 0; c < match::kNumCategories; ++c) {
    const match::CategorySettings& s =
        lexicon.settings(static_cast<match::Category>(c));
    v.scores[c] = 1.0 / (1.0 + std::exp(-(s.bias + sum[c])));
    if (v.scores[c] >= s.threshold) v.flagged_categories |= 1u << c;
  }
  v.flagged = v.flagged_categories != 0;
  std::stable_sort(hits.begin(), hits.end(),
                   [&](const match::Hit& a, const match::Hit& b) {
                     const double wa = lexicon.terms()[a.term].weight;
                     const double wb = lexicon.terms()[b.term].weight;
                     if (wa != wb) return wa > wb;
                     return a.begin < b.begin;
                   });
  v.hits = std::move(hits);
  return v;
}

}  // namespace vigil::score
