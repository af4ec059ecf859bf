// Words with letters hidden by stars ("óc ch*", "vãi l*n", "đ* mẹ"): where
// they are in a post, and which syllables they may stand for.
//
// A masked word is a run of adjacent tokens (no space between them) made of
// words and stars, with at least one of each: "ch" "*", "l" "*" "n". Its
// mask is its letters folded (no diacritics, đ → d) with '?' for each star:
// "ch?", "l?n". A syllable fits the mask when its folded letters have the
// mask's length and agree with every letter the mask shows. The matcher
// (matcher.cc, MaskedWords) tries the lexicon's syllables that fit in place
// of the masked word, so that a phrase around it can match.
//
// Thread safety: pure functions.
#ifndef VIGIL_ANALYZERS_MATCH_MASKED_WORD_H_
#define VIGIL_ANALYZERS_MATCH_MASKED_WORD_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/normalize/normalizer.h"

namespace vigil::match {

struct MaskedWord {
  size_t first, last;  // token range (inclusive)
  std::string mask;    // folded letters, '?' for each hidden letter
};

// The masked words of `text`, in order. A run is taken only when its mask
// shows at least one letter, hides at most one letter more than it shows
// ("đ**" yes, "*" and "**a" no) and has at most kMaxMaskLength letters.
inline constexpr size_t kMaxMaskLength = 8;
std::vector<MaskedWord> FindMaskedWords(const normalize::NormalizedText& text);

// Whether the folded syllable `folded` fits `mask`.
bool FitsMask(std::string_view folded, std::string_view mask);

}  // namespace vigil::match

#endif  // VIGIL_ANALYZERS_MATCH_MASKED_WORD_H_
