// The spelling steps of one word, on its case-folded code points: collapsing
// repeated letters, reading in-word leetspeak, and moving the tone mark to
// its standard place. Each works on the word alone (the normalizer never
// looks at neighbours; normalizer.cc says why).
//
// Example:
//   std::u32string w = U"ng000";
//   ReadLeetspeak(w);    // true: w == U"ngooo"
//   CollapseRepeats(w);  // true: w == U"ngo"
//
// Thread safety: pure functions.
#ifndef VIGIL_ANALYZERS_NORMALIZE_WORD_STEPS_H_
#define VIGIL_ANALYZERS_NORMALIZE_WORD_STEPS_H_

#include <cstdint>
#include <string>

namespace vigil::normalize {

// Collapses runs of 3+ copies of one letter (tone marks aside) to a single
// letter, keeping a tone mark if the run had one ("ngoooo" → "ngo", "điiiii"
// → "đi"). Digit runs stay. Returns true if `w` changed.
bool CollapseRepeats(std::u32string& w);

// Reads in-word leetspeak. '@' and '$' always read as letters inside a word
// ("f@ck", "$ex"). Digits read as letters when each run of them sits between
// letters ("ch3t", "l00n") or when the result has the shape of a Vietnamese
// syllable once repeats collapse ("ng0" → "ngo"); otherwise the word stays as
// written ("mp3", "covid19", "4ever"). Returns true if `w` changed.
bool ReadLeetspeak(std::u32string& w);

// CollapseRepeats, then PlaceTone (vietnamese.h); returns the Step bits
// (normalizer.h) of the steps that changed `w`.
uint32_t CollapseAndPlaceTone(std::u32string& w);

}  // namespace vigil::normalize

#endif  // VIGIL_ANALYZERS_NORMALIZE_WORD_STEPS_H_
