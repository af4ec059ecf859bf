// Per-code-point facts the normalizer needs on its hot path: the class that
// drives tokenization, the case-folded letter, its Latin look-alike, and
// whether NFC could change it.
//
// Code points below kTableLimit are answered from a table computed once from
// ICU (character properties, case folding, NFC data, and the confusable
// skeletons of uspoof); the rest are computed with ICU on each call.
//
// Thread-safe: the table is built on first use (a function-local static).
#ifndef VIGIL_ANALYZERS_NORMALIZE_CHAR_CLASS_H_
#define VIGIL_ANALYZERS_NORMALIZE_CHAR_CLASS_H_

#include <cstdint>

namespace vigil::normalize {

enum class CharClass : uint8_t {
  kSpace,   // white space and control characters (Cc): token separators
  kFormat,  // Cf: zero-width and format characters, dropped
  kLetter,  // L*
  kMark,    // M*: combining marks
  kDigit,   // Nd
  kEmoji,   // Extended_Pictographic, regional indicators, skin tones
  kPunct,   // punctuation, symbols, everything else
};

struct CharProps {
  CharClass cls = CharClass::kPunct;
  bool upper = false;       // case folding changes it
  bool eth = false;         // ð / Ð, read as đ
  bool latin = false;       // `folded` is a Latin letter (Vietnamese incl.)
  bool confusable = false;  // `lookalike` is a Latin letter it imitates
  bool nfc_unsafe = false;  // NFC may change it or compose it with a neighbor
  char32_t folded = 0;      // simple case folding (ð → đ)
  char32_t lookalike = 0;   // Latin letter by confusable skeleton, or 0
  char ascii_base = 0;      // a-z under its diacritics (ñ → n), or 0
  // Of `folded` as a Vietnamese letter: toneless letter, tone (0-5), and
  // whether that toneless letter is a vowel.
  bool vowel = false;
  uint8_t tone = 0;
  char32_t toneless = 0;
};

constexpr char32_t kTableLimit = 0x3000;

// The table for code points [0, kTableLimit), built on first call.
const CharProps* CharTable();

// Computes the properties of any code point with ICU (slow path).
CharProps ComputeCharProps(char32_t c);

// ComputeCharProps through a small per-thread cache (emoji and other code
// points above the table repeat a lot). The reference is valid until the
// next call on the same thread.
const CharProps& CachedCharProps(char32_t c);

// Properties of `c` (any code point; U+FFFD for decoding errors). `table` is
// CharTable(), fetched once by the caller. The reference is valid until the
// next call on the same thread.
inline const CharProps& GetCharProps(const CharProps* table, char32_t c) {
  if (c < kTableLimit) return table[c];
  return CachedCharProps(c);
}

}  // namespace vigil::normalize

#endif  // VIGIL_ANALYZERS_NORMALIZE_CHAR_CLASS_H_
