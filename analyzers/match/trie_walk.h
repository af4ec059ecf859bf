// Walking the syllable tries (syllable_trie.h) over a post's tokens: every
// phrase of a trie that occurs in the post as a run of whole tokens, in the
// canonical view and, for fold-allowed phrases, in the folded view under the
// diacritics rule below. The matcher walks its term and allowlist tries with
// this, over the post and over joined runs of letters.
//
// Thread safety: functions of their arguments only.
#ifndef VIGIL_ANALYZERS_MATCH_TRIE_WALK_H_
#define VIGIL_ANALYZERS_MATCH_TRIE_WALK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/match/syllable_trie.h"
#include "analyzers/normalize/normalizer.h"

namespace vigil::match {

// True when the UTF-8 syllable `s` carries a tone mark (huyền, sắc, hỏi,
// ngã, nặng).
bool HasToneMark(std::string_view s);

// The tokens of a post (or of a joined run of letters) to walk over.
struct TokenView {
  const normalize::NormalizedText* text;
  bool unaccented_post;
  // May token `i` match a syllable that differs from it in diacritics? Yes
  // in a post written without diacritics, and for a word written without
  // them or without a tone mark ("dit", "đit" for "địt"); no for a word
  // whose own tone mark makes it another word ("đít", "bottom").
  bool FoldEligible(size_t i) const {
    const normalize::Token& t = text->tokens()[i];
    return unaccented_post || !t.accented || !HasToneMark(text->text(t));
  }
};

// A phrase found: the trie value and the token range (inclusive) it covers.
struct Found {
  int32_t value;
  size_t first, last;  // token range in the view
  bool folded;         // found by the folded walk
};

// Syllable ids of the tokens of a view in both dictionaries (-1 for tokens
// that are in no phrase, and for tokens that are not words or numbers:
// terms are words and numbers, "3 que"; anything else ends a phrase).
struct ViewIds {
  std::vector<int32_t> canonical, folded;
};
void LookUpIds(const normalize::NormalizedText& text,
               const SyllableDict& canonical, const SyllableDict& folded,
               ViewIds* ids);

// Walks `canonical_trie` (and `folded_trie` when not null) from every word
// token of the view, appending what it finds to `found`. A folded find counts
// only where it differs from the canonical one and every token whose
// syllable differs from the phrase's is FoldEligible; `syllables_of(value)`
// gives a value's canonical syllables for that check.
template <typename SyllablesOf>
void WalkTries(const Trie<int32_t>* canonical_trie,
               const Trie<int32_t>* folded_trie, const TokenView& view,
               const ViewIds& ids, SyllablesOf syllables_of,
               std::vector<Found>* found) {
  const std::vector<normalize::Token>& tokens = view.text->tokens();
  const std::vector<int32_t>& canonical_ids = ids.canonical;
  const std::vector<int32_t>& folded_ids = ids.folded;
  for (size_t s = 0; s < tokens.size(); ++s) {
    int32_t node = 0;
    for (size_t t = s; t < tokens.size() && canonical_ids[t] >= 0; ++t) {
      node = canonical_trie->Step(node, canonical_ids[t]);
      if (node < 0) break;
      for (int32_t v : canonical_trie->ValuesAt(node)) {
        found->push_back({v, s, t, false});
      }
    }
    if (folded_trie == nullptr) continue;
    node = 0;
    for (size_t t = s; t < tokens.size() && folded_ids[t] >= 0; ++t) {
      node = folded_trie->Step(node, folded_ids[t]);
      if (node < 0) break;
      for (int32_t v : folded_trie->ValuesAt(node)) {
        // Tokens written with diacritics must carry the term's own.
        const std::vector<std::string>& syllables = syllables_of(v);
        bool ok = true;
        bool differs = false;
        for (size_t k = s; k <= t; ++k) {
          const bool same = view.text->text(tokens[k]) == syllables[k - s];
          differs |= !same;
          if (!same && !view.FoldEligible(k)) ok = false;
        }
        if (ok && differs) found->push_back({v, s, t, true});
      }
    }
  }
}

}  // namespace vigil::match

#endif  // VIGIL_ANALYZERS_MATCH_TRIE_WALK_H_
