// The normalizer works in two passes over one post.
//
// Pass 1 decodes UTF-8 into code points, each remembering its byte offset
// (its code-point offset is its index), so every token can name the exact
// original bytes it came from however much normalization rewrote it.
//
// Pass 2 scans the code points left to right and cuts tokens by the first
// code point of each: URLs, @mentions and #hashtags are recognised by their
// prefix; emoji sequences by Extended_Pictographic plus their joiners and
// modifiers; numbers by digits (with separators, a currency sign or a unit
// such as "k", "tr", "đ"); words by letters, absorbing combining marks,
// zero-width characters and in-word leetspeak. Everything else forms runs of
// punctuation. Each token is then normalized on its own, never looking at
// its neighbours, which is what makes the offset map exact: normalizing the
// original slice of a token gives that token back (the property test checks
// this over real posts).
//
// Words go through the table-driven steps of normalizer.h. The hot path
// (ASCII and precomposed Vietnamese) uses only tables; ICU is called for
// NFC only when a word holds a code point that NFC could change.
#include "analyzers/normalize/normalizer.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <limits>

#include "analyzers/normalize/char_class.h"
#include "analyzers/normalize/vietnamese.h"
#include "analyzers/util/strings.h"

namespace vigil::normalize {

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kWord:
      return "word";
    case TokenKind::kNumber:
      return "number";
    case TokenKind::kUrl:
      return "url";
    case TokenKind::kEmail:
      return "email";
    case TokenKind::kMention:
      return "mention";
    case TokenKind::kHashtag:
      return "hashtag";
    case TokenKind::kEmoji:
      return "emoji";
    case TokenKind::kPunct:
      return "punct";
  }
  return "unknown";
}

std::vector<std::string_view> StepNames(uint32_t steps) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kStepInvalidUtf8, "invalid_utf8"},
      {kStepFormatRemoved, "format_removed"},
      {kStepNfc, "nfc"},
      {kStepCaseFolded, "casefold"},
      {kStepConfusable, "confusable"},
      {kStepRepeatCollapsed, "repeated_letters"},
      {kStepLeetspeak, "leetspeak"},
      {kStepToneMoved, "tone_placement"},
      {kStepTeencode, "teencode"},
      {kStepEth, "eth"},
  };
  std::vector<std::string_view> names;
  for (const auto& [bit, name] : kNames) {
    if (steps & bit) names.push_back(name);
  }
  return names;
}

namespace {

// One decoded code point of the original post.
struct CodePoint {
  uint32_t packed;  // the code point in bits 0-23, its CharClass in 24-31
  uint32_t byte;    // offset of its first byte
};

constexpr CodePoint MakeCodePoint(char32_t c, uint32_t byte, CharClass cls) {
  return {c | (static_cast<uint32_t>(cls) << 24), byte};
}

// A growable array of CodePoint that is never initialized (reused per
// thread: no allocation and no zeroing per post).
struct CodePointBuffer {
  std::unique_ptr<CodePoint[]> data;
  size_t capacity = 0;
  size_t size = 0;
  CodePoint* Reserve(size_t n) {
    if (n > capacity) {
      capacity = std::max(n, capacity * 2);
      data.reset(new CodePoint[capacity]);
    }
    return data.get();
  }
};

// Classes of the ASCII code points, the common case.
const std::array<CharClass, 128>& AsciiClasses() {
  static const std::array<CharClass, 128> classes = [] {
    std::array<CharClass, 128> a;
    const CharProps* table = CharTable();
    for (char32_t c = 0; c < 128; ++c) a[c] = table[c].cls;
    return a;
  }();
  return classes;
}

// Units that may follow a number and stay part of it ("50k", "2tr", "100đ").
bool IsNumberUnit(std::u32string_view unit) {
  static constexpr std::u32string_view kUnits[] = {
      U"k",  U"tr", U"t",   U"đ",   U"d",   U"vnd", U"vnđ", U"usd", U"m",
      U"km", U"cm", U"mm",  U"kg",  U"g",   U"mg",  U"l",   U"ml",  U"gb",
      U"mb", U"kb", U"tb",  U"h",   U"p",   U"s",   U"ph",  U"x",   U"tỷ",
      U"ty", U"củ", U"lít", U"giờ", U"am",  U"pm",  U"th",  U"st",  U"nd",
      U"rd", U"ms", U"hz",  U"ghz", U"mhz", U"w",   U"kw",  U"v"};
  for (std::u32string_view u : kUnits) {
    if (unit == u) return true;
  }
  return false;
}

bool IsCurrencySign(char32_t c) {
  return c == U'$' || c == U'€' || c == U'£' || c == U'¥' || c == U'₫';
}

// Leetspeak substitutions inside words.
char32_t LeetLetter(char32_t c) {
  switch (c) {
    case U'0':
      return U'o';
    case U'1':
      return U'i';
    case U'3':
      return U'e';
    case U'4':
      return U'a';
    case U'@':
      return U'a';
    case U'$':
      return U's';
    default:
      return 0;
  }
}

bool IsAsciiVowelLetter(char32_t c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

bool IsAsciiAlnum(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

char32_t AsciiLower(char32_t c) {
  return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

// Top-level domains that make "name.tld" a URL without a scheme.
bool IsKnownTld(std::u32string_view tld) {
  static constexpr std::u32string_view kTlds[] = {
      U"com",  U"net", U"org",   U"vn",   U"me",     U"ly",   U"io",   U"co",
      U"info", U"xyz", U"top",   U"site", U"online", U"shop", U"club", U"app",
      U"link", U"biz", U"cc",    U"tk",   U"gl",     U"gg",   U"tv",   U"asia",
      U"edu",  U"gov", U"store", U"live", U"pro",    U"fun",  U"vip",  U"win",
      U"bet",  U"ru",  U"cn",    U"us",   U"uk"};
  for (std::u32string_view t : kTlds) {
    if (tld == t) return true;
  }
  return false;
}

// Writes the UTF-8 bytes of `c` to `out` (room for 4); returns how many.
inline size_t EncodeUtf8(char32_t c, char* out) {
  if (c < 0x80) {
    out[0] = static_cast<char>(c);
    return 1;
  }
  if (c < 0x800) {
    out[0] = static_cast<char>(0xC0 | (c >> 6));
    out[1] = static_cast<char>(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (c >> 12));
    out[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (c & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (c >> 18));
  out[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (c & 0x3F));
  return 4;
}

inline void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    const char b[2] = {static_cast<char>(0xC0 | (c >> 6)),
                       static_cast<char>(0x80 | (c & 0x3F))};
    out.append(b, 2);
  } else if (c < 0x10000) {
    const char b[3] = {static_cast<char>(0xE0 | (c >> 12)),
                       static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
                       static_cast<char>(0x80 | (c & 0x3F))};
    out.append(b, 3);
  } else {
    const char b[4] = {static_cast<char>(0xF0 | (c >> 18)),
                       static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
                       static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
                       static_cast<char>(0x80 | (c & 0x3F))};
    out.append(b, 4);
  }
}

}  // namespace

// A per-thread memo of normalized words. A word's normalization depends only
// on its own bytes (the property test checks exactly this), and posts repeat
// the same few thousand syllables, so EmitWord replays the memo instead of
// redoing the work. Direct-mapped: a slot is overwritten on collision.
struct WordMemo {
  static constexpr size_t kSlots = 32768;  // 2 MiB, one cache line a slot
  static constexpr size_t kMaxKey = 16;
  static constexpr size_t kMaxText = 33;  // canonical + folded bytes
  struct alignas(64) Slot {
    uint32_t owner = 0;  // Normalizer id; 0: empty
    uint16_t steps = 0;
    int16_t ambiguous_teencode = -1;
    int16_t expansion = -1;  // teencode entry expanded, or -1
    uint8_t key_len = 0;
    uint8_t canonical_len = 0;
    uint8_t folded_len = 0;
    bool accented = false;
    bool counted = false;  // counts toward words() / accented_words()
    char key[kMaxKey];
    char text[kMaxText];  // canonical, then folded
  };
  static_assert(sizeof(Slot) == 64);
  std::vector<Slot> slots = std::vector<Slot>(kSlots);

  static WordMemo& ForThread() {
    thread_local WordMemo memo;
    return memo;
  }
  Slot& SlotFor(std::string_view key) {
    // Words are short: a multiplicative hash over 8-byte chunks is enough.
    uint64_t h = key.size() * 0x9E3779B97F4A7C15ull;
    size_t k = 0;
    for (; k + 8 <= key.size(); k += 8) {
      uint64_t chunk;
      std::memcpy(&chunk, key.data() + k, 8);
      h = (h ^ chunk) * 0xBF58476D1CE4E5B9ull;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, key.data() + k, key.size() - k);
    h = (h ^ tail) * 0x94D049BB133111EBull;
    return slots[(h >> 40) & (kSlots - 1)];
  }
};

// Normalizes one post into a NormalizedText. One instance per call.
class PostNormalizer {
 public:
  PostNormalizer(const TeencodeTable& teencode, uint32_t normalizer_id,
                 std::string_view post, NormalizedText& out)
      : teencode_(teencode),
        normalizer_id_(normalizer_id),
        post_(post),
        out_(out),
        table_(CharTable()),
        cps_(Scratch()),
        memo_(WordMemo::ForThread()) {
    cps_.size = 0;
    out_.canonical_.reserve(post.size() + post.size() / 4 + 16);
    out_.folded_.reserve(post.size() + 16);
    out_.tokens_.reserve(post.size() / 4 + 4);
  }

  void Run() {
    Decode();
    const size_t n = Size();
    size_t i = 0;
    while (i < n) {
      const CharClass cls = Cls(i);
      if (cls == CharClass::kSpace || cls == CharClass::kFormat) {
        ++i;
        continue;
      }
      if (i >= chunk_end_) ScanChunk(i);
      size_t end;
      if (cls == CharClass::kLetter && !chunk_may_link_) {
        // The common case: only a word can start here.
        end = WordEnd(i);
        EmitWord(i, end);
      } else if (chunk_may_link_ && (end = EmailEnd(i)) > i) {
        EmitRaw(TokenKind::kEmail, i, end, /*fold_case=*/true);
      } else if (chunk_may_link_ && (end = UrlEnd(i)) > i) {
        EmitRaw(TokenKind::kUrl, i, end, /*fold_case=*/true);
      } else if ((end = PrefixedEnd(i, U'@')) > i) {
        EmitRaw(TokenKind::kMention, i, end, true);
      } else if ((end = PrefixedEnd(i, U'#')) > i) {
        EmitRaw(TokenKind::kHashtag, i, end, true);
      } else if ((end = EmojiEnd(i)) > i) {
        EmitRaw(TokenKind::kEmoji, i, end, false);
      } else if ((end = NumberEnd(i)) > i) {
        EmitRaw(TokenKind::kNumber, i, end, true);
      } else if ((end = WordEnd(i)) > i) {
        EmitWord(i, end);
      } else {
        end = PunctEnd(i);
        EmitRaw(TokenKind::kPunct, i, end, false);
      }
      i = end;
    }
    out_.unaccented_ = out_.words_ > 0 &&
                       out_.accented_words_ <
                           NormalizedText::kUnaccentedMaxRatio * out_.words_;
  }

 private:
  const CharProps& Props(size_t i) const { return GetCharProps(table_, Cp(i)); }
  CharClass Cls(size_t i) const {
    return static_cast<CharClass>(cps_.data[i].packed >> 24);
  }
  char32_t Cp(size_t i) const { return cps_.data[i].packed & 0xFFFFFF; }
  // Number of code points; index Size() is the end sentinel.
  size_t Size() const { return cps_.size - 1; }

  void Decode() {
    const auto* s = reinterpret_cast<const uint8_t*>(post_.data());
    const int32_t n = static_cast<int32_t>(post_.size());
    const std::array<CharClass, 128>& ascii = AsciiClasses();
    CodePoint* const begin = cps_.Reserve(post_.size() + 1);  // >= 1 a byte
    CodePoint* out = begin;
    int32_t i = 0;
    while (i < n) {
      const int32_t start = i;
      if (s[i] < 0x80) {
        *out++ = MakeCodePoint(s[i], static_cast<uint32_t>(i), ascii[s[i]]);
        ++i;
        continue;
      }
      UChar32 c;
      U8_NEXT(s, i, n, c);
      if (c < 0) {
        c = 0xFFFD;
        ++out_.invalid_utf8_;
      }
      const char32_t cp = static_cast<char32_t>(c);
      *out++ = MakeCodePoint(cp, static_cast<uint32_t>(start),
                             GetCharProps(table_, cp).cls);
    }
    *out++ = MakeCodePoint(0, static_cast<uint32_t>(n), CharClass::kSpace);
    cps_.size = out - begin;
  }

  bool IsWordChar(size_t i) const {
    const CharClass cls = Cls(i);
    return cls == CharClass::kLetter || cls == CharClass::kDigit ||
           cls == CharClass::kMark || Cp(i) == U'_';
  }

  // Finds the end of the white-space-delimited chunk at `i` and whether it
  // could hold a URL or e-mail address at all (has '.', '@' or ':').
  void ScanChunk(size_t i) {
    chunk_may_link_ = false;
    size_t j = i;
    while (j < Size() && Cls(j) != CharClass::kSpace) {
      const char32_t c = Cp(j);
      chunk_may_link_ |= c == U'.' || c == U'@' || c == U':';
      ++j;
    }
    chunk_end_ = j;
  }

  // End of an ASCII "name.tld" domain starting at `i` (letters, digits,
  // '-', inner dots, a known top-level domain), or `i`.
  size_t DomainEnd(size_t i) const {
    // Every later start inside a run that failed fails the same way (same
    // end, same last dot): remembering it keeps the scan linear.
    if (i > domain_fail_start_ && i < domain_fail_end_) return i;
    size_t k = DomainScan(i);
    if (k == i) {
      domain_fail_start_ = i;
      size_t end = i;
      while (end < Size() &&
             (IsAsciiAlnum(Cp(end)) || Cp(end) == U'-' || Cp(end) == U'.')) {
        ++end;
      }
      domain_fail_end_ = end;
    }
    return k;
  }

  size_t DomainScan(size_t i) const {
    size_t k = i;
    size_t last_dot = 0;
    while (k < Size() && (IsAsciiAlnum(Cp(k)) || Cp(k) == U'-' ||
                          (Cp(k) == U'.' && k > i && k + 1 < Size() &&
                           IsAsciiAlnum(Cp(k + 1))))) {
      if (Cp(k) == U'.') last_dot = k;
      ++k;
    }
    if (last_dot == 0) return i;
    std::u32string tld;
    for (size_t t = last_dot + 1; t < k; ++t) tld.push_back(AsciiLower(Cp(t)));
    if (!IsKnownTld(tld)) return i;
    if (k < Size() &&
        (Cls(k) == CharClass::kLetter || Cls(k) == CharClass::kMark ||
         Cls(k) == CharClass::kDigit)) {
      return i;  // "abc.comx", "abc.vnđ": glued to more letters
    }
    return k;
  }

  // E-mail: ASCII local part '@' domain with a known tld.
  size_t EmailEnd(size_t i) const {
    if (!IsAsciiAlnum(Cp(i)) || (i > 0 && IsWordChar(i - 1))) return i;
    // A later start inside a local part that failed reaches the same '@'
    // (or none) and fails the same way.
    if (i < email_fail_end_) return i;
    size_t j = i;
    while (j < Size() && (IsAsciiAlnum(Cp(j)) || Cp(j) == U'.' ||
                          Cp(j) == U'_' || Cp(j) == U'-' || Cp(j) == U'+')) {
      ++j;
    }
    size_t end = i;
    if (j > i && j + 1 < Size() && Cp(j) == U'@' && Cp(j - 1) != U'.') {
      const size_t domain = DomainEnd(j + 1);
      if (domain > j + 1) end = domain;
    }
    if (end == i) email_fail_end_ = j;
    return end;
  }

  // URL: "http://", "https://" or "www." up to white space, or an ASCII
  // "name.tld[/path]" with a known tld. Trailing punctuation is not part of it.
  size_t UrlEnd(size_t i) const {
    if (!IsAsciiAlnum(Cp(i))) return i;
    if (i > 0 && IsWordChar(i - 1)) return i;
    size_t j = chunk_end_;  // the next white space
    auto starts_with = [&](std::u32string_view prefix) {
      if (j - i < prefix.size()) return false;
      for (size_t k = 0; k < prefix.size(); ++k) {
        if (AsciiLower(Cp(i + k)) != prefix[k]) return false;
      }
      return true;
    };
    size_t prefix = 0;
    for (std::u32string_view p : {U"http://", U"https://", U"www."}) {
      if (starts_with(p)) prefix = p.size();
    }
    const bool url = prefix > 0;
    if (!url) {
      // name(.name)*.tld, then a path or port up to white space.
      const size_t k = DomainEnd(i);
      if (k == i) return i;
      if (k < j && Cp(k) != U'/' && Cp(k) != U':') j = k;
    }
    while (j > i + prefix) {
      const char32_t c = Cp(j - 1);
      if (c == U'.' || c == U',' || c == U';' || c == U'!' || c == U'?' ||
          c == U')' || c == U']' || c == U'}' || c == U'\'' || c == U'"' ||
          c == U':') {
        --j;
      } else {
        break;
      }
    }
    if (prefix > 0 && j == i + prefix) return i;  // "www." alone
    return j;
  }

  // "@name" / "#tag": the sign, then word characters (and inner dots for
  // mentions). A sign inside a word never gets here: words take it in.
  size_t PrefixedEnd(size_t i, char32_t sign) const {
    if (Cp(i) != sign) return i;
    size_t j = i + 1;
    while (j < Size() && (IsWordChar(j) || Cls(j) == CharClass::kFormat ||
                          (sign == U'@' && Cp(j) == U'.' && j + 1 < Size() &&
                           IsWordChar(j + 1)))) {
      ++j;
    }
    while (j > i + 1 && Cls(j - 1) == CharClass::kFormat) --j;
    return j > i + 1 ? j : i;
  }

  // One emoji sequence: a pictograph or flag, with variation selectors,
  // skin tones, keycaps, tags, and ZWJ-joined further pictographs.
  size_t EmojiEnd(size_t i) const {
    size_t j = i;
    const char32_t first = Cp(i);
    if (Cls(i) == CharClass::kEmoji) {
      ++j;
      if (first >= 0x1F1E6 && first <= 0x1F1FF && j < Size() &&
          Cp(j) >= 0x1F1E6 && Cp(j) <= 0x1F1FF) {
        ++j;  // a flag is a pair of regional indicators
      }
    } else if (first == U'#' || first == U'*' ||
               (first >= '0' && first <= '9')) {
      // Keycap: [#*0-9] FE0F? 20E3.
      size_t k = i + 1;
      if (k < Size() && Cp(k) == 0xFE0F) ++k;
      if (k < Size() && Cp(k) == 0x20E3) return k + 1;
      return i;
    } else {
      return i;
    }
    while (j < Size()) {
      const char32_t c = Cp(j);
      if (c == 0xFE0F || c == 0xFE0E || c == 0x20E3 ||
          (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F)) {
        ++j;
      } else if (c == 0x200D && j + 1 < Size() &&
                 Cls(j + 1) == CharClass::kEmoji) {
        j += 2;
      } else {
        break;
      }
    }
    return j;
  }

  // Numbers: [+|currency] digits ([.,:/-] digits)* [% | unit [digits]].
  // A digit run followed by letters that are not a unit is not a number
  // (the word scanner takes it: "4ever", "covid19").
  size_t NumberEnd(size_t i) const {
    size_t j = i;
    if ((Cp(j) == U'+' || IsCurrencySign(Cp(j))) && j + 1 < Size() &&
        Cls(j + 1) == CharClass::kDigit) {
      if (i > 0 && IsWordChar(i - 1)) return i;
      ++j;
    }
    if (Cls(j) != CharClass::kDigit) return i;
    if (i > 0 && Cls(i - 1) == CharClass::kLetter) return i;
    auto digits = [&](size_t k) {
      while (k < Size() && Cls(k) == CharClass::kDigit) ++k;
      return k;
    };
    j = digits(j);
    size_t last_separator = 0;  // 0: none consumed
    while (j + 1 < Size() &&
           (Cp(j) == U'.' || Cp(j) == U',' || Cp(j) == U':' || Cp(j) == U'/' ||
            Cp(j) == U'-') &&
           Cls(j + 1) == CharClass::kDigit) {
      last_separator = j;
      j = digits(j + 1);
    }
    // Letters glued to the last digit group make that group part of a word
    // ("0912-4ever"): the number ends before its separator.
    auto glued_letters = [&]() {
      return last_separator > 0 ? last_separator : i;
    };
    if (j < Size() && Cp(j) == U'%') return j + 1;
    if (j < Size() && Cls(j) == CharClass::kLetter) {
      size_t k = j;
      std::u32string unit;
      while (k < Size() && Cls(k) == CharClass::kLetter) {
        unit.push_back(Props(k).folded);
        ++k;
      }
      if (!IsNumberUnit(unit)) return glued_letters();
      k = digits(k);  // "2tr5", "1m7"
      if (k < Size() &&
          (Cls(k) == CharClass::kLetter || Cls(k) == CharClass::kMark)) {
        return glued_letters();
      }
      return k;
    }
    if (j < Size() && Cls(j) == CharClass::kMark) return glued_letters();
    return j;
  }

  // Words: letters, combining marks, digits, and '@'/'$' between word
  // characters; zero-width characters inside are skipped (not at the end).
  size_t WordEnd(size_t i) const {
    const CharClass first = Cls(i);
    bool leet_start = (Cp(i) == U'$' || Cp(i) == U'@') && i + 1 < Size() &&
                      Cls(i + 1) == CharClass::kLetter;
    if (first != CharClass::kLetter && first != CharClass::kDigit &&
        !leet_start) {
      return i;
    }
    size_t j = i + 1;
    size_t end = j;  // end of the last real word character
    while (j < Size()) {
      const CharProps p = Props(j);
      if (p.cls == CharClass::kLetter || p.cls == CharClass::kMark ||
          p.cls == CharClass::kDigit) {
        end = ++j;
      } else if (p.cls == CharClass::kFormat) {
        ++j;
      } else if ((Cp(j) == U'@' || Cp(j) == U'$') && j + 1 < Size() &&
                 (Cls(j + 1) == CharClass::kLetter ||
                  Cls(j + 1) == CharClass::kDigit)) {
        end = ++j;
      } else {
        break;
      }
    }
    return end;
  }

  // A run of punctuation, stopping where another token kind would start.
  size_t PunctEnd(size_t i) const {
    size_t j = i + 1;
    while (j < Size()) {
      const CharClass cls = Cls(j);
      if (cls == CharClass::kMark || cls == CharClass::kFormat) {
        ++j;
        continue;
      }
      if (cls != CharClass::kPunct || Cp(j) == 0xFFFD || Cp(i) == 0xFFFD) break;
      if (PrefixedEnd(j, U'@') > j || PrefixedEnd(j, U'#') > j ||
          EmojiEnd(j) > j || NumberEnd(j) > j || WordEnd(j) > j) {
        break;
      }
      ++j;
    }
    while (j > i + 1 && Cls(j - 1) == CharClass::kFormat) --j;
    return j;
  }

  Token StartToken(TokenKind kind, size_t i, size_t end) const {
    Token t;
    t.kind = kind;
    t.begin = cps_.data[i].byte;
    t.end = cps_.data[end].byte;
    t.begin_char = static_cast<uint32_t>(i);
    t.end_char = static_cast<uint32_t>(end);
    return t;
  }

  // Appends `text` (UTF-8) and its folded form as the next token.
  void Append(Token t, std::string_view text) {
    if (!out_.canonical_.empty()) {
      out_.canonical_.push_back(' ');
      out_.folded_.push_back(' ');
    }
    t.canonical_begin = static_cast<uint32_t>(out_.canonical_.size());
    out_.canonical_.append(text);
    t.canonical_end = static_cast<uint32_t>(out_.canonical_.size());
    t.folded_begin = static_cast<uint32_t>(out_.folded_.size());
    int32_t k = 0;
    const int32_t n = static_cast<int32_t>(text.size());
    uint8_t high = 0;
    for (char ch : text) high |= static_cast<uint8_t>(ch);
    if (high < 0x80) {
      out_.folded_.append(text);
      k = n;
    }
    while (k < n) {
      UChar32 c;
      U8_NEXT_UNSAFE(text.data(), k, c);
      if (c < 0x80) {
        out_.folded_.push_back(static_cast<char>(c));
        continue;
      }
      const CharProps p = GetCharProps(table_, c);
      if (p.ascii_base != 0) {
        out_.folded_.push_back(p.ascii_base);
      } else if (p.cls != CharClass::kMark || t.kind == TokenKind::kEmoji ||
                 t.kind == TokenKind::kPunct) {
        // Diacritics leave the folded view of words, hashtags and mentions;
        // punctuation and emoji keep their marks (a lone mark stays a token).
        AppendUtf8(out_.folded_, c);
      }
    }
    t.folded_end = static_cast<uint32_t>(out_.folded_.size());
    out_.tokens_.push_back(t);
  }

  // Appends a word given as code points, writing both views directly.
  void AppendWord(Token t, const std::u32string& w) {
    if (!out_.canonical_.empty()) {
      out_.canonical_.push_back(' ');
      out_.folded_.push_back(' ');
    }
    t.canonical_begin = static_cast<uint32_t>(out_.canonical_.size());
    t.folded_begin = static_cast<uint32_t>(out_.folded_.size());
    // Encode into stack buffers and append once per view.
    constexpr size_t kChunk = 32;
    char canonical[kChunk * 4];
    char folded[kChunk * 4];
    for (size_t from = 0; from < w.size(); from += kChunk) {
      const size_t to = std::min(w.size(), from + kChunk);
      size_t nc = 0, nf = 0;
      for (size_t k = from; k < to; ++k) {
        const char32_t c = w[k];
        if (c < 0x80) {
          canonical[nc++] = static_cast<char>(c);
          folded[nf++] = static_cast<char>(c);
          continue;
        }
        nc += EncodeUtf8(c, canonical + nc);
        const CharProps& p = GetCharProps(table_, c);
        if (p.ascii_base != 0) {
          folded[nf++] = p.ascii_base;
        } else if (p.cls != CharClass::kMark) {
          nf += EncodeUtf8(c, folded + nf);  // diacritics leave the folded view
        }
      }
      out_.canonical_.append(canonical, nc);
      out_.folded_.append(folded, nf);
    }
    t.canonical_end = static_cast<uint32_t>(out_.canonical_.size());
    t.folded_end = static_cast<uint32_t>(out_.folded_.size());
    out_.tokens_.push_back(t);
  }

  // The teencode entry for the word `w`, or -1.
  int32_t FindTeencode(const std::u32string& w) {
    if (!teencode_.MayContain(w)) {
      return -1;
    }
    key_.clear();
    for (char32_t c : w) AppendUtf8(key_, c);
    return teencode_.Find(key_);
  }

  // Non-word tokens: the original code points minus format characters,
  // optionally case folded.
  void EmitRaw(TokenKind kind, size_t i, size_t end, bool fold_case) {
    Token t = StartToken(kind, i, end);
    scratch_.clear();
    for (size_t k = i; k < end; ++k) {
      const CharProps p = Props(k);
      if (p.cls == CharClass::kFormat && kind != TokenKind::kEmoji) {
        t.steps |= kStepFormatRemoved;
        continue;
      }
      if (Cp(k) == 0xFFFD) t.steps |= kStepInvalidUtf8;
      char32_t c = Cp(k);
      if (fold_case && p.cls == CharClass::kLetter) {
        if (p.upper) t.steps |= kStepCaseFolded;
        if (p.eth) t.steps |= kStepEth;
        c = p.folded;
      }
      AppendUtf8(scratch_, c);
    }
    Append(t, scratch_);
  }

  void EmitWord(size_t i, size_t end);
  void EmitWordUncached(Token t, size_t i, size_t end);
  void ReplayWord(Token t, const WordMemo::Slot& slot);
  void AppendExpansion(Token t, int32_t entry);

  const TeencodeTable& teencode_;
  const uint32_t normalizer_id_;
  std::string_view post_;
  NormalizedText& out_;
  const CharProps* table_;
  // Per-thread buffer reused across posts (no allocation per post).
  static CodePointBuffer& Scratch() {
    thread_local CodePointBuffer buffer;
    return buffer;
  }

  CodePointBuffer& cps_;
  // Runs already known not to hold a domain / an e-mail address.
  mutable size_t domain_fail_start_ = 0;
  mutable size_t domain_fail_end_ = 0;
  mutable size_t email_fail_end_ = 0;
  WordMemo& memo_;
  size_t chunk_end_ = 0;
  bool chunk_may_link_ = false;
  std::string scratch_;
  std::string key_;
  int32_t last_expansion_ = -1;
  std::u32string word_;
  std::u32string plain_;
};

namespace {

// Collapses runs of 3+ copies of one letter (tone marks aside) to a single
// letter, keeping a tone mark if the run had one. Returns true if changed.
bool CollapseRepeats(std::u32string& w) {
  bool changed = false;
  size_t out = 0;
  size_t i = 0;
  while (i < w.size()) {
    const ToneSplit first = SplitTone(w[i]);
    size_t j = i + 1;
    char32_t toned = first.tone != Tone::kNone ? w[i] : 0;
    while (j < w.size() && SplitTone(w[j]).letter == first.letter) {
      if (toned == 0 && SplitTone(w[j]).tone != Tone::kNone) toned = w[j];
      ++j;
    }
    const bool is_letter = !(first.letter >= '0' && first.letter <= '9');
    if (j - i >= 3 && is_letter) {
      w[out++] = toned != 0 ? toned : w[i];
      changed = true;
    } else {
      for (size_t k = i; k < j; ++k) w[out++] = w[k];
    }
    i = j;
  }
  w.resize(out);
  return changed;
}

// Reads in-word leetspeak. '@' and '$' always read as letters inside a word
// ("f@ck", "$ex"). Digits read as letters when each run of them sits between
// letters ("ch3t", "l00n") or when the result has the shape of a Vietnamese
// syllable once repeats collapse ("ng0" → "ngo", "ng000" → "ngo");
// otherwise the word stays as written ("mp3", "covid19", "4ever").
bool ReadLeetspeak(std::u32string& w) {
  auto is_digit = [](char32_t c) { return c >= '0' && c <= '9'; };
  std::u32string out = w;
  bool digits_inside = true;
  size_t letters = 0;
  for (size_t k = 0; k < w.size(); ++k) {
    const char32_t l = LeetLetter(w[k]);
    if (l == 0) {
      if (is_digit(w[k])) return false;  // a digit with no letter reading
      ++letters;
      continue;
    }
    out[k] = l;
    if (is_digit(w[k]) && (k == 0 || !is_digit(w[k - 1]))) {
      size_t run_end = k;
      while (run_end < w.size() && is_digit(w[run_end])) ++run_end;
      digits_inside = digits_inside && k > 0 && run_end < w.size();
    }
  }
  if (letters == 0) return false;
  if (!digits_inside) {
    std::u32string collapsed = out;
    CollapseRepeats(collapsed);
    std::string folded;
    for (char32_t c : collapsed) {
      const char f = FoldLetter(c);
      if (f == 0) return false;
      folded.push_back(f);
    }
    if (!IsSyllableShape(folded)) return false;
  }
  w = std::move(out);
  return true;
}

// Applies collapse and tone placement; returns the steps that changed it.
uint32_t CollapseAndPlaceTone(std::u32string& w) {
  uint32_t steps = 0;
  if (CollapseRepeats(w)) steps |= kStepRepeatCollapsed;
  if (PlaceTone(w.data(), static_cast<int>(w.size()))) steps |= kStepToneMoved;
  return steps;
}

}  // namespace

void PostNormalizer::EmitWord(size_t i, size_t end) {
  Token t = StartToken(TokenKind::kWord, i, end);
  const std::string_view raw = post_.substr(t.begin, t.end - t.begin);
  WordMemo::Slot* slot = nullptr;
  if (normalizer_id_ != 0 && raw.size() <= WordMemo::kMaxKey) {
    slot = &memo_.SlotFor(raw);
    if (slot->owner == normalizer_id_ &&
        std::string_view(slot->key, slot->key_len) == raw) {
      ReplayWord(t, *slot);
      return;
    }
  }
  const uint32_t words_before = out_.words_;
  const size_t tokens_before = out_.tokens_.size();
  EmitWordUncached(t, i, end);
  if (slot == nullptr) return;
  // Remember the result when it fits.
  const Token& first = out_.tokens_[tokens_before];
  const bool expanded =
      out_.tokens_.size() - tokens_before > 1 || (first.steps & kStepTeencode);
  const size_t canonical_len = out_.canonical_.size() - first.canonical_begin;
  const size_t folded_len = out_.folded_.size() - first.folded_begin;
  if ((!expanded && canonical_len + folded_len > WordMemo::kMaxText) ||
      first.ambiguous_teencode > INT16_MAX || last_expansion_ > INT16_MAX ||
      first.steps > UINT16_MAX) {
    return;
  }
  slot->owner = normalizer_id_;
  slot->key_len = static_cast<uint8_t>(raw.size());
  std::memcpy(slot->key, raw.data(), raw.size());
  slot->steps = static_cast<uint16_t>(first.steps);
  slot->accented = first.accented;
  slot->ambiguous_teencode = static_cast<int16_t>(first.ambiguous_teencode);
  slot->counted = out_.words_ != words_before;
  slot->expansion = -1;
  if (expanded) {
    slot->expansion = static_cast<int16_t>(last_expansion_);
    slot->canonical_len = slot->folded_len = 0;
  } else {
    slot->canonical_len = static_cast<uint8_t>(canonical_len);
    slot->folded_len = static_cast<uint8_t>(folded_len);
    std::memcpy(slot->text, out_.canonical_.data() + first.canonical_begin,
                canonical_len);
    std::memcpy(slot->text + canonical_len,
                out_.folded_.data() + first.folded_begin, folded_len);
  }
}

void PostNormalizer::ReplayWord(Token t, const WordMemo::Slot& slot) {
  t.steps = slot.steps;
  t.accented = slot.accented;
  t.ambiguous_teencode = slot.ambiguous_teencode;
  if (slot.counted) {
    ++out_.words_;
    if (slot.accented) ++out_.accented_words_;
  }
  if (slot.expansion >= 0) {
    AppendExpansion(t, slot.expansion);
    return;
  }
  if (!out_.canonical_.empty()) {
    out_.canonical_.push_back(' ');
    out_.folded_.push_back(' ');
  }
  t.canonical_begin = static_cast<uint32_t>(out_.canonical_.size());
  out_.canonical_.append(slot.text, slot.canonical_len);
  t.canonical_end = static_cast<uint32_t>(out_.canonical_.size());
  t.folded_begin = static_cast<uint32_t>(out_.folded_.size());
  out_.folded_.append(slot.text + slot.canonical_len, slot.folded_len);
  t.folded_end = static_cast<uint32_t>(out_.folded_.size());
  out_.tokens_.push_back(t);
}

void PostNormalizer::AppendExpansion(Token t, int32_t entry) {
  last_expansion_ = entry;
  t.steps |= kStepTeencode;
  const std::string& expansion = teencode_.entry(entry).expansions.front();
  std::vector<std::string_view> parts = SplitChar(expansion, ' ');
  t.parts = static_cast<uint8_t>(std::min<size_t>(parts.size(), 255));
  for (size_t p = 0; p < parts.size() && p < 255; ++p) {
    Token part = t;
    part.part = static_cast<uint8_t>(p);
    Append(part, parts[p]);
  }
}

void PostNormalizer::EmitWordUncached(Token t, size_t i, size_t end) {
  // One pass: case fold, drop format characters, and note what the later
  // steps need to look at, so that most words skip most of them.
  // Look-alikes apply only when every non-Latin letter of the word has a
  // Latin look-alike.
  // Written through a raw pointer: the word never has more code points
  // than its original span.
  word_.resize(end - i);
  char32_t* w = word_.data();
  size_t n = 0;
  bool lookalikes_apply = true;
  bool any_lookalike = false;
  bool needs_nfc = false;
  bool leet_chars = false;
  bool accented = false;  // carries a diacritic or đ
  bool foldable = true;   // every letter folds to ASCII
  int vowels = 0;
  int tones = 0;
  int run = 0;  // length of the current run of one toneless letter
  bool repeats = false;
  char32_t prev_toneless = 0;
  for (size_t k = i; k < end; ++k) {
    const CharClass cls = Cls(k);
    if (cls == CharClass::kFormat) {
      t.steps |= kStepFormatRemoved;
      continue;
    }
    char32_t c = Cp(k);
    if (c >= 'a' && c <= 'z') {
      // Lowercase ASCII letter: nothing but the run and vowel counts.
      vowels += IsAsciiVowelLetter(c);
      run = c == prev_toneless ? run + 1 : 1;
      repeats |= run >= 3;
      prev_toneless = c;
      w[n++] = c;
      continue;
    }
    const CharProps& p = Props(k);
    if (cls == CharClass::kLetter) {
      if (!p.latin) {
        if (p.confusable) {
          any_lookalike = true;
        } else {
          lookalikes_apply = false;
        }
      }
      if (p.upper) t.steps |= kStepCaseFolded;
      if (p.eth) t.steps |= kStepEth;
      c = p.folded;
      vowels += p.vowel;
      tones += p.tone != 0;
      if (c >= 0x80 && p.ascii_base != 0) accented = true;
      if (p.ascii_base == 0) foldable = false;
      run = p.toneless == prev_toneless ? run + 1 : 1;
      repeats |= run >= 3;
      prev_toneless = p.toneless;
    } else {
      foldable = false;
      prev_toneless = 0;
      if (c < 0x80) {
        leet_chars = true;  // ASCII digits, '@', '$'
      } else {
        needs_nfc |= p.nfc_unsafe;
        if (cls == CharClass::kDigit) lookalikes_apply = false;
      }
    }
    if (c >= 0x80) needs_nfc |= p.nfc_unsafe;
    w[n++] = c;
  }
  word_.resize(n);
  if (any_lookalike && lookalikes_apply) {
    t.steps |= kStepConfusable;
    for (char32_t& c : word_) {
      const CharProps& p = GetCharProps(table_, c);
      if (p.cls == CharClass::kLetter && !p.latin) c = p.lookalike;
    }
    foldable = false;  // recomputed below
    needs_nfc = true;  // a mapped letter may compose with a following mark
  }
  if (needs_nfc) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    icu::UnicodeString u = icu::UnicodeString::fromUTF32(
        reinterpret_cast<const UChar32*>(word_.data()),
        static_cast<int32_t>(word_.size()));
    icu::UnicodeString composed = nfc->normalize(u, status);
    if (U_SUCCESS(status) && composed != u) {
      if (!any_lookalike || !lookalikes_apply ||
          composed.countChar32() != static_cast<int32_t>(word_.size())) {
        t.steps |= kStepNfc;
      }
      word_.clear();
      for (int32_t k = 0; k < composed.length();
           k = composed.moveIndex32(k, 1)) {
        // Composition can yield upper case only in exotic cases; fold again
        // to keep the canonical form lowercase.
        word_.push_back(GetCharProps(table_, composed.char32At(k)).folded);
      }
    }
  }
  if (needs_nfc || (any_lookalike && lookalikes_apply)) {
    // The code points changed: recount what the later steps look at.
    accented = false;
    foldable = true;
    vowels = tones = 0;
    repeats = true;  // let CollapseRepeats decide
    for (char32_t c : word_) {
      const CharProps& p = GetCharProps(table_, c);
      if (p.ascii_base == 0) {
        foldable = false;
      } else if (c >= 0x80) {
        accented = true;
      }
      vowels += p.vowel;
      tones += p.tone != 0;
    }
  }

  // Statistics for unaccented(): Vietnamese-looking words as written.
  t.accented = accented;
  if (accented) {
    ++out_.words_;
    ++out_.accented_words_;
  } else if (foldable && word_.size() <= 16) {
    char folded[16];
    for (size_t k = 0; k < word_.size(); ++k) {
      folded[k] = GetCharProps(table_, word_[k]).ascii_base;
    }
    if (IsSyllableShape(std::string_view(folded, word_.size()))) ++out_.words_;
  }

  // Teencode may spell digits ("t2"): try the word without leetspeak first.
  int32_t entry = -1;
  if (leet_chars) {
    plain_ = word_;
    const uint32_t plain_steps = CollapseAndPlaceTone(plain_);
    entry = FindTeencode(plain_);
    if (entry >= 0) {
      word_ = plain_;
      t.steps |= plain_steps;
    } else if (ReadLeetspeak(word_)) {
      t.steps |= kStepLeetspeak;
      repeats = true;
      vowels = 2;  // let PlaceTone decide
    }
  }
  if (entry < 0) {
    if (repeats && CollapseRepeats(word_)) t.steps |= kStepRepeatCollapsed;
    // A single tone mark on the only vowel is already in place.
    if ((tones > 1 || (tones == 1 && vowels > 1)) &&
        PlaceTone(word_.data(), static_cast<int>(word_.size()))) {
      t.steps |= kStepToneMoved;
    }
    entry = FindTeencode(word_);
  }

  if (entry >= 0 && teencode_.entry(entry).ambiguous) {
    t.ambiguous_teencode = entry;
    entry = -1;
  }
  if (entry < 0) {
    AppendWord(t, word_);
    return;
  }
  // Expand: one token per syllable, all sharing the original span.
  AppendExpansion(t, entry);
}

namespace {
// Ids of normalizers that use the word memo; 0 means "no memo" (also once
// 2^32 normalizers have been made, so ids never repeat).
std::atomic<uint64_t> next_normalizer_id{1};
}  // namespace

Normalizer::Normalizer(TeencodeTable teencode, bool word_memo)
    : teencode_(std::move(teencode)), id_(0) {
  if (word_memo) {
    const uint64_t id = next_normalizer_id++;
    if (id <= UINT32_MAX) id_ = static_cast<uint32_t>(id);
  }
}

absl::StatusOr<std::unique_ptr<const Normalizer>> Normalizer::Create(
    const Options& options) {
  TeencodeTable table;
  if (!options.teencode_path.empty()) {
    absl::StatusOr<TeencodeTable> loaded =
        TeencodeTable::Load(options.teencode_path);
    if (!loaded.ok()) return loaded.status();
    table = *std::move(loaded);
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) {
    return absl::InternalError(std::string("ICU NFC data unavailable: ") +
                               u_errorName(status));
  }
  CharTable();  // build the tables now, not on the first request
  return std::unique_ptr<const Normalizer>(
      new Normalizer(std::move(table), options.word_memo));
}

NormalizedText Normalizer::Normalize(std::string_view post) const {
  NormalizedText out;
  NormalizeInto(post, &out);
  return out;
}

void Normalizer::NormalizeInto(std::string_view post,
                               NormalizedText* out) const {
  out->truncated_ = post.size() > kMaxPostBytes;
  if (out->truncated_) post = post.substr(0, kMaxPostBytes);
  out->tokens_.clear();
  out->canonical_.clear();
  out->folded_.clear();
  out->unaccented_ = false;
  out->invalid_utf8_ = out->words_ = out->accented_words_ = 0;
  PostNormalizer(teencode_, id_, post, *out).Run();
}

}  // namespace vigil::normalize
