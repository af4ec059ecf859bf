#include "analyzers/normalize/vietnamese.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace vigil::normalize {
namespace {

// The 12 toneless vowels, and each with the 5 tones in Tone order.
constexpr std::u32string_view kToneTable[] = {
    U"aàáảãạ", U"ăằắẳẵặ", U"âầấẩẫậ", U"eèéẻẽẹ", U"êềếểễệ", U"iìíỉĩị",
    U"oòóỏõọ", U"ôồốổỗộ", U"ơờớởỡợ", U"uùúủũụ", U"ưừứửữự", U"yỳýỷỹỵ",
};
constexpr char kVowelFold[] = "aaaeeiooouuy";

// Everything we need about a code point below kTableSize.
constexpr char32_t kTableSize = 0x1F00;
struct LetterInfo {
  char32_t toneless = 0;  // 0: not a Vietnamese vowel
  uint8_t tone = 0;
  int8_t vowel = -1;  // index into kToneTable
};

std::vector<LetterInfo>* BuildLetters() {
  auto* t = new std::vector<LetterInfo>(kTableSize);
  for (int v = 0; v < 12; ++v) {
    for (int tone = 0; tone < 6; ++tone) {
      LetterInfo& info = (*t)[kToneTable[v][tone]];
      info.toneless = kToneTable[v][0];
      info.tone = static_cast<uint8_t>(tone);
      info.vowel = static_cast<int8_t>(v);
    }
  }
  return t;
}

// Built on first use, so other static initializers may call in safely.
// The vector stays reachable (keeping only data() made LeakSanitizer
// report its header as leaked).
const LetterInfo* Letters() {
  static const std::vector<LetterInfo>* const letters = BuildLetters();
  return letters->data();
}

inline const LetterInfo* Info(char32_t c) {
  if (c >= kTableSize) return nullptr;
  const LetterInfo& info = Letters()[c];
  return info.vowel >= 0 ? &info : nullptr;
}

bool IsAsciiVowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

// Packs up to 4 ASCII letters into an integer for cheap set membership;
// longer strings pack to a value no set contains.
constexpr uint32_t Pack(std::string_view s) {
  if (s.size() > 4) return 0xFFFFFFFFu;
  uint32_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

template <size_t N>
struct PackedSet {
  std::array<uint32_t, N> values;
  constexpr explicit PackedSet(const std::string_view (&items)[N]) : values{} {
    for (size_t i = 0; i < N; ++i) values[i] = Pack(items[i]);
    std::sort(values.begin(), values.end());
  }
  bool Contains(std::string_view s) const {
    return std::binary_search(values.begin(), values.end(), Pack(s));
  }
};

constexpr std::string_view kOnsetList[] = {
    "",   "b",   "c",  "ch", "d",  "g", "gh", "h", "k", "kh", "l",  "m", "n",
    "ng", "ngh", "nh", "p",  "ph", "q", "r",  "s", "t", "th", "tr", "v", "x"};
constexpr std::string_view kCodaList[] = {"",   "c",  "ch", "m", "n",
                                          "ng", "nh", "p",  "t"};
// Folded vowel sequences that occur as nuclei once "qu"/"gi" onsets are
// split off (uô/ươ → "uo", iê/yê → "ie"/"ye", ...).
constexpr std::string_view kNucleusList[] = {
    "a",   "e",   "i",   "o",   "u",   "y",   "ai",  "ao",  "au",  "ay",
    "eo",  "eu",  "ia",  "ie",  "iu",  "oa",  "oe",  "oi",  "oo",  "ua",
    "ue",  "ui",  "uo",  "uu",  "uy",  "ye",  "oai", "oay", "oeo", "uay",
    "uoi", "uou", "uya", "uye", "uyu", "ieu", "yeu"};
constexpr PackedSet kOnsets(kOnsetList);
constexpr PackedSet kCodas(kCodaList);
constexpr PackedSet kNuclei(kNucleusList);

bool IsOnset(std::string_view s) { return kOnsets.Contains(s); }
bool IsCoda(std::string_view s) { return kCodas.Contains(s); }
bool IsNucleus(std::string_view s) { return kNuclei.Contains(s); }

}  // namespace

ToneSplit SplitTone(char32_t c) {
  const LetterInfo* info = Info(c);
  if (info == nullptr) return {c, Tone::kNone};
  return {info->toneless, static_cast<Tone>(info->tone)};
}

char32_t WithTone(char32_t toneless, Tone tone) {
  const LetterInfo* info = Info(toneless);
  if (info == nullptr) return 0;
  return kToneTable[info->vowel][static_cast<int>(tone)];
}

bool IsVowel(char32_t toneless) {
  const LetterInfo* info = Info(toneless);
  return info != nullptr && info->tone == 0;
}

char FoldLetter(char32_t c) {
  if (c < 0x80) {
    if (c >= 'a' && c <= 'z') return static_cast<char>(c);
    if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
    return 0;
  }
  if (c == U'đ' || c == U'Đ') return 'd';
  const LetterInfo* info = Info(c);
  return info == nullptr ? 0 : kVowelFold[info->vowel];
}

bool PlaceTone(char32_t* s, int n) {
  if (n <= 0 || n > 16) return false;
  char32_t toneless[16];
  char folded_buf[16];
  Tone tone = Tone::kNone;
  int tone_at = -1;
  bool doubled = false;
  for (int i = 0; i < n; ++i) {
    const ToneSplit split = SplitTone(s[i]);
    const char f = FoldLetter(split.letter);
    if (f == 0) return false;  // not a Vietnamese letter
    if (split.tone != Tone::kNone) {
      // The same mark typed twice ("gìà") is one mark; two different marks
      // leave the word alone.
      if (tone_at >= 0 && split.tone != tone) return false;
      if (tone_at >= 0) doubled = true;
      tone = split.tone;
      if (tone_at < 0) tone_at = i;
    }
    toneless[i] = split.letter;
    folded_buf[i] = f;
  }
  const std::string_view folded(folded_buf, n);
  if (tone_at < 0) return false;

  // Split into onset [0, v0), nucleus [v0, v1], coda (v1, n).
  int v0 = 0;
  while (v0 < n && !IsVowel(toneless[v0])) ++v0;
  if (v0 == n) return false;
  int v1 = v0;
  while (v1 + 1 < n && IsVowel(toneless[v1 + 1])) ++v1;
  if (!IsOnset(folded.substr(0, v0)) || !IsCoda(folded.substr(v1 + 1))) {
    return false;
  }
  // "qu" and "gi" are onsets when a vowel follows.
  const std::string_view onset = folded.substr(0, v0);
  if (v1 > v0 && ((onset == "q" && folded[v0] == 'u') ||
                  (onset == "g" && folded[v0] == 'i'))) {
    ++v0;
  }
  if (folded.substr(0, v0) == "q") return false;  // q without u
  const int len = v1 - v0 + 1;
  if (len > 3) return false;

  int target = -1;
  for (int i = v0; i <= v1; ++i) {
    const char32_t c = toneless[i];
    if (c == U'ă' || c == U'â' || c == U'ê' || c == U'ô' || c == U'ơ' ||
        c == U'ư') {
      target = i;  // the last one wins: ươ → ơ
    }
  }
  if (target < 0) {
    if (len == 1) {
      target = v0;
    } else if (v1 + 1 < n) {
      target = v1;  // closed syllable
    } else if (len == 3) {
      target = v0 + 1;
    } else {
      target = v0;  // old style: hòa, thủy, khỏe
    }
  }
  if (target == tone_at && !doubled) return false;
  for (int i = 0; i < n; ++i) s[i] = toneless[i];
  s[target] = WithTone(toneless[target], tone);
  return true;
}

bool IsSyllableShape(std::string_view s) {
  size_t v0 = 0;
  while (v0 < s.size() && !IsAsciiVowel(s[v0])) {
    if (s[v0] < 'a' || s[v0] > 'z') return false;
    ++v0;
  }
  if (v0 == s.size()) return false;
  size_t v1 = v0;
  while (v1 + 1 < s.size() && IsAsciiVowel(s[v1 + 1])) ++v1;
  std::string_view onset = s.substr(0, v0);
  if (!IsOnset(onset) || !IsCoda(s.substr(v1 + 1))) return false;
  if (v1 > v0 &&
      ((onset == "q" && s[v0] == 'u') || (onset == "g" && s[v0] == 'i'))) {
    ++v0;
  } else if (onset == "q") {
    return false;
  }
  return IsNucleus(s.substr(v0, v1 - v0 + 1));
}

}  // namespace vigil::normalize
