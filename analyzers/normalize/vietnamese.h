// Vietnamese letters and syllables: tone marks, tone placement, folding.
//
// A Vietnamese syllable is onset + vowel nucleus + coda, with at most one
// tone mark (huyền, sắc, hỏi, ngã, nặng) written on one vowel of the nucleus.
// Two conventions for where the mark goes are in use: the old style puts it
// on the first vowel of an open two-vowel nucleus (hòa, khỏe, thủy), the new
// style on the second (hoà, khoẻ, thuỷ). vigil's canonical form is the OLD
// style, as in underthesea's normalization rules and most dictionaries.
//
// Placement rule implemented by PlaceTone (after removing "qu" and "gi"
// onsets, where u and i are part of the consonant):
//   1. a vowel with a quality mark (ă â ê ô ơ ư) takes the tone; of "ươ",
//      the ơ;
//   2. a single vowel takes it;
//   3. a nucleus followed by a final consonant: the last vowel (hoàn, toán);
//   4. an open three-vowel nucleus: the middle one (ngoài, khuỷu);
//   5. an open two-vowel nucleus: the first one (hòa, mùa, tía, thủy).
// Words that do not parse as one syllable (foreign words, teencode with
// f/j/w/z onsets, two tone marks) are left alone.
//
// All functions take lowercase NFC code points. Thread-safe (pure functions
// over constant tables built on first use).
#ifndef VIGIL_ANALYZERS_NORMALIZE_VIETNAMESE_H_
#define VIGIL_ANALYZERS_NORMALIZE_VIETNAMESE_H_

#include <cstdint>
#include <string_view>

namespace vigil::normalize {

// Tone marks, in the conventional order.
enum class Tone : uint8_t {
  kNone = 0,
  kGrave = 1,  // huyền  à
  kAcute = 2,  // sắc    á
  kHook = 3,   // hỏi    ả
  kTilde = 4,  // ngã    ã
  kDot = 5,    // nặng   ạ
};

// A lowercase letter split into its toneless letter and tone:
// 'ấ' → {'â', kAcute}; 'đ' → {'đ', kNone}; 'x' → {'x', kNone}.
struct ToneSplit {
  char32_t letter;
  Tone tone;
};
ToneSplit SplitTone(char32_t c);

// The inverse of SplitTone: ('â', kAcute) → 'ấ'. Returns 0 when the letter
// cannot carry a tone (consonants).
char32_t WithTone(char32_t toneless, Tone tone);

// True for the 12 toneless Vietnamese vowels a ă â e ê i o ô ơ u ư y.
bool IsVowel(char32_t toneless);

// The ASCII letter under all diacritics of a Vietnamese letter:
// 'ữ' → 'u', 'đ' → 'd'. Returns 0 for anything that is not a Vietnamese
// (or ASCII) letter.
char FoldLetter(char32_t c);

// Moves the tone mark of the syllable `s` (lowercase, NFC, `n` code points,
// modified in place) to its old-style position. Returns true when it moved
// the mark; false when it was already there, there was no mark, or `s` does
// not parse as a Vietnamese syllable.
bool PlaceTone(char32_t* s, int n);

// True when the ASCII string `s` (already folded: no diacritics, đ → d)
// has the shape of a Vietnamese syllable: a known onset, a nucleus of one
// to three vowels, and a known coda ("chet", "khong", "nguoi"; not "mpe").
bool IsSyllableShape(std::string_view s);

}  // namespace vigil::normalize

#endif  // VIGIL_ANALYZERS_NORMALIZE_VIETNAMESE_H_
