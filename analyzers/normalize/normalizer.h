// Normalizer: turns a raw Vietnamese social-media post into tokens a matcher
// can trust, each mapped back to the exact bytes of the original post.
//
// Example:
//
//   absl::StatusOr<std::unique_ptr<const vigil::normalize::Normalizer>> n =
//       vigil::normalize::Normalizer::Create(
//           {.teencode_path = "lexicons/teencode.tsv"});
//   if (!n.ok()) return n.status();
//   vigil::normalize::NormalizedText out = (*n)->Normalize("Ko đc đâuuuu");
//   out.canonical();  // "không được đâu"
//   out.folded();     // "khong duoc dau"
//   for (const vigil::normalize::Token& t : out.tokens()) {
//     out.text(t);    // canonical text of the token
//     t.begin, t.end; // byte span in the original post
//   }
//
// Pipeline (each step that changes a token is recorded in Token::steps):
//   1. UTF-8 decode; every ill-formed sequence becomes U+FFFD and is counted.
//   2. Format and zero-width characters (Unicode Cf) are dropped, so
//      "đ<ZWSP>ụ" is one word.
//   3. Case fold; look-alike letters (Cyrillic, Greek, fullwidth, math
//      alphanumerics) map to Latin by ICU's confusable skeletons, but only in
//      words whose every non-Latin letter has such a mapping; Icelandic ð→đ;
//      NFC.
//   4. Letters repeated 3+ times collapse to one ("nguuuu" → "ngu").
//   5. Leetspeak inside words (0→o 1→i 3→e 4→a @→a $→s), never in number
//      tokens (prices, phone numbers, "50k", "100.000đ").
//   6. Tone marks are placed by the old-style convention (hoà → hòa,
//      thuỷ → thủy, khoẻ → khỏe); see vietnamese.h.
//   7. Teencode and abbreviations expand from a table (ko → không,
//      ntn → như thế nào); ambiguous entries ("ck") are not rewritten, the
//      token instead points at its candidate expansions.
//   8. A folded view without diacritics (không → khong, đ → d), aligned token
//      by token with the canonical view.
//
// Thread safety: a Normalizer is immutable after Create() and may be shared
// by any number of threads. NormalizedText is a plain value.
//
// Memory: each thread that normalizes keeps a scratch buffer of 12 bytes per
// code point of its longest post so far, and (unless Options::word_memo is
// off) a memo of recently normalized words of 2 MiB.
#ifndef VIGIL_ANALYZERS_NORMALIZE_NORMALIZER_H_
#define VIGIL_ANALYZERS_NORMALIZE_NORMALIZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "analyzers/normalize/teencode.h"

namespace vigil::normalize {

// What a token is. Only kWord tokens are syllables a lexicon can match;
// the other kinds are kept whole and never rewritten beyond case folding.
enum class TokenKind : uint8_t {
  kWord,     // letters (a syllable), possibly with in-word leetspeak digits
  kNumber,   // 42, 0912.345.678, +84 ..., 100.000đ, 50k, 1,5tr, 30%
  kUrl,      // https://..., www...., example.com/path, t.me/x
  kEmail,    // name@example.com
  kMention,  // @name
  kHashtag,  // #tag
  kEmoji,    // one emoji sequence (ZWJ sequences, flags, modifiers)
  kPunct,    // a run of punctuation / symbols, e.g. "!!!" or ":))"
};

// Name of a kind for display and JSON ("word", "number", ...).
std::string_view TokenKindName(TokenKind kind);

// Normalization steps, as bits of Token::steps. A bit is set only when the
// step changed this token.
enum Step : uint32_t {
  kStepInvalidUtf8 = 1u << 0,      // contained U+FFFD from ill-formed bytes
  kStepFormatRemoved = 1u << 1,    // zero-width / format characters dropped
  kStepNfc = 1u << 2,              // composition changed the code points
  kStepCaseFolded = 1u << 3,       // upper case letters lowered
  kStepConfusable = 1u << 4,       // look-alike letters mapped to Latin
  kStepRepeatCollapsed = 1u << 5,  // letter runs of 3+ collapsed
  kStepLeetspeak = 1u << 6,        // digits/symbols read as letters
  kStepToneMoved = 1u << 7,        // tone mark moved to old-style place
  kStepTeencode = 1u << 8,         // expanded from the teencode table
  kStepEth = 1u << 9,              // Icelandic ð/Ð read as đ
  kStepLettersJoined = 1u << 10,   // single letters split by separators
                                   // joined into a syllable ("c.h.ó")
  kStepRestored = 1u << 11,        // diacritics restored, or an ambiguous
                                   // abbreviation read, by the language model
                                   // (lm/restorer.h; see RewriteWords)
};
// Every Step bit; bits above are free for other layers (match::HitVia).
inline constexpr uint32_t kAllSteps = (1u << 12) - 1;

// Names of the steps set in `steps`, in the order above, e.g.
// {"casefold", "teencode"}.
std::vector<std::string_view> StepNames(uint32_t steps);

// One token. Offsets are into the original post: [begin, end) in bytes and
// [begin_char, end_char) in code points (an ill-formed byte sequence counts
// as one code point, as it decodes to one U+FFFD). The canonical and folded
// texts live in NormalizedText; use NormalizedText::text()/folded_text().
//
// A teencode entry that expands to several syllables ("ntn" → "như thế nào")
// yields several consecutive kWord tokens sharing one original span;
// `part` numbers them from 0 and `parts` says how many there are.
struct Token {
  TokenKind kind = TokenKind::kWord;
  uint8_t part = 0;
  uint8_t parts = 1;
  bool accented = false;  // the original word carried diacritics or đ
  uint32_t steps = 0;     // bits of Step
  // Teencode entry index when this word matched an *ambiguous* entry and
  // was kept as written; -1 otherwise. See TeencodeTable::entry().
  int32_t ambiguous_teencode = -1;
  uint32_t begin = 0, end = 0;            // bytes in the original
  uint32_t begin_char = 0, end_char = 0;  // code points in the original
  uint32_t canonical_begin = 0, canonical_end = 0;  // bytes in canonical()
  uint32_t folded_begin = 0, folded_end = 0;        // bytes in folded()
};

class NormalizedText;

// A word of a normalized post read anew (by the language model,
// lm/restorer.h): token `token` becomes `canonical`, one or more syllables
// separated by single spaces ("hôm"; "chuyển khoản" for "ck").
struct WordRewrite {
  uint32_t token = 0;
  std::string canonical;
  uint32_t steps = 0;  // Step bits to add (0 when the text is unchanged)
};

// Applies `rewrites` (ascending, distinct word tokens of `*text`) to
// `*text`: each rewritten token becomes one token per syllable, sharing the
// original's span (part/parts number them), with `steps` added; its folded
// text is the new text folded. Every other token, every offset into the
// original post, and the post's counts are kept. A rewrite with no
// syllables leaves its token as it was.
// `text` must not be null.
void RewriteWords(const std::vector<WordRewrite>& rewrites,
                  NormalizedText* text);

// The result of normalizing one post. canonical() and folded() are the
// token texts joined by single spaces; every token's text is a slice of them.
class NormalizedText {
 public:
  const std::vector<Token>& tokens() const { return tokens_; }
  const std::string& canonical() const { return canonical_; }
  const std::string& folded() const { return folded_; }

  std::string_view text(const Token& t) const {
    return std::string_view(canonical_)
        .substr(t.canonical_begin, t.canonical_end - t.canonical_begin);
  }
  std::string_view folded_text(const Token& t) const {
    return std::string_view(folded_).substr(t.folded_begin,
                                            t.folded_end - t.folded_begin);
  }

  // True when the post is written (almost) without diacritics: at least
  // one word, and fewer than kUnaccentedMaxRatio of its Vietnamese-looking
  // words carry any. Such posts are matched on the folded view.
  bool unaccented() const { return unaccented_; }
  static constexpr double kUnaccentedMaxRatio = 0.1;

  // True when the post was longer than Normalizer::kMaxPostBytes and only
  // that much of it was normalized.
  bool truncated() const { return truncated_; }

  // Number of ill-formed UTF-8 sequences replaced by U+FFFD.
  uint32_t invalid_utf8() const { return invalid_utf8_; }
  // Word tokens as written (before teencode expansion), and how many of
  // those carried diacritics; the inputs of unaccented().
  uint32_t words() const { return words_; }
  uint32_t accented_words() const { return accented_words_; }

 private:
  friend class Normalizer;
  friend class PostNormalizer;
  friend void RewriteWords(const std::vector<WordRewrite>&, NormalizedText*);
  std::vector<Token> tokens_;
  std::string canonical_;
  std::string folded_;
  bool unaccented_ = false;
  bool truncated_ = false;
  uint32_t invalid_utf8_ = 0;
  uint32_t words_ = 0;
  uint32_t accented_words_ = 0;
};

// Stateless (after construction) normalizer.
class Normalizer {
 public:
  struct Options {
    // Teencode table (see lexicons/README.md). Empty: no teencode expansion.
    std::string teencode_path;
    // Remember normalized words per thread and replay them (same output,
    // faster). Tests turn it off to check the uncached path.
    bool word_memo = true;
  };

  // Offsets are 32-bit: longer posts are cut here (see truncated()).
  static constexpr size_t kMaxPostBytes = (size_t{1} << 31) - 2;

  // Loads the tables. Fails with the file:line of the first bad teencode
  // line, or when ICU data is unavailable.
  static absl::StatusOr<std::unique_ptr<const Normalizer>> Create(
      const Options& options);
  // As above, over a table already parsed (a lexicon directory's, read
  // once: match::LexiconFiles). Fails only when ICU data is unavailable.
  static absl::StatusOr<std::unique_ptr<const Normalizer>> Create(
      TeencodeTable teencode, bool word_memo = true);

  // Builds a normalizer over an already loaded table (tests, tools).
  explicit Normalizer(TeencodeTable teencode, bool word_memo = true);

  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  // Normalizes one post. Any byte string is accepted: ill-formed UTF-8 is
  // replaced and counted, empty input gives no tokens. Linear in the input.
  // Only the first kMaxPostBytes of a longer post are read, and the result
  // says truncated() (callers cap posts far below that). Thread-safe.
  NormalizedText Normalize(std::string_view post) const;

  // As Normalize(), writing into `*out` and reusing its buffers: the fast
  // form for loops over many posts. `out` must not be null.
  void NormalizeInto(std::string_view post, NormalizedText* out) const;

  const TeencodeTable& teencode() const { return teencode_; }

 private:
  TeencodeTable teencode_;
  // Distinguishes this normalizer's entries in the per-thread word cache.
  uint32_t id_;  // 0: no word memo
};

}  // namespace vigil::normalize

#endif  // VIGIL_ANALYZERS_NORMALIZE_NORMALIZER_H_
