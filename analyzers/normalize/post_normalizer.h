// The work of Normalizer::NormalizeInto for one post (normalizer.cc explains
// the approach): decode (code_points.h), cut tokens (token_scanner.h), and
// normalize each word through the word memo (word_memo.h) or its steps
// (word_steps.h), writing the tokens and both views into a NormalizedText.
//
// Internal to the normalizer; use Normalizer (normalizer.h).
// Thread safety: one instance per call; it uses the calling thread's
// scratch buffers and word memo.
#ifndef VIGIL_ANALYZERS_NORMALIZE_POST_NORMALIZER_H_
#define VIGIL_ANALYZERS_NORMALIZE_POST_NORMALIZER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "analyzers/normalize/code_points.h"
#include "analyzers/normalize/normalizer.h"
#include "analyzers/normalize/teencode.h"
#include "analyzers/normalize/token_scanner.h"
#include "analyzers/normalize/word_memo.h"

namespace vigil::normalize {

class PostNormalizer {
 public:
  // `out` must be empty (NormalizeInto clears it); `normalizer_id` is 0 for
  // a normalizer that does not use the word memo.
  PostNormalizer(const TeencodeTable& teencode, uint32_t normalizer_id,
                 std::string_view post, NormalizedText& out);

  // Normalizes the whole post into `out`.
  void Run();

 private:
  // What the first pass over a word found, so that most words skip most
  // of the later steps.
  struct WordFacts {
    bool lookalikes_apply = true;  // every non-Latin letter has a look-alike
    bool any_lookalike = false;
    bool needs_nfc = false;
    bool leet_chars = false;  // ASCII digits, '@' or '$'
    bool accented = false;    // carries a diacritic or đ
    bool foldable = true;     // every letter folds to ASCII
    bool repeats = false;     // a run of 3+ copies of one letter
    int vowels = 0;
    int tones = 0;
  };

  Token StartToken(TokenKind kind, size_t i, size_t end) const;
  // Appends `text` (UTF-8) and its folded form as the next token.
  void Append(Token t, std::string_view text);
  // Appends a word given as code points, writing both views directly.
  void AppendWord(Token t, const std::u32string& w);
  // Non-word tokens: the original code points minus format characters,
  // optionally case folded.
  void EmitRaw(TokenKind kind, size_t i, size_t end, bool fold_case);

  // Words: through the memo when it has them, else EmitWordUncached.
  void EmitWord(size_t i, size_t end);
  // When the word [i, end) is a single letter followed by more single
  // letters, each after one and the same separator ('.', '-', '_' or one
  // space; three letters at least with spaces), that together spell a
  // Vietnamese syllable ("c.h.ó", "n-g-u", "t ô i"), the end of that run;
  // otherwise `end`. "đ.m" is not a syllable: the matcher joins such runs
  // where they form a lexicon term.
  size_t JoinedLettersEnd(size_t i, size_t end) const;
  // Emits the word [i, end), or the run of joined letters that starts with
  // it (JoinedLettersEnd) as one word; returns where what it emitted ends.
  size_t EmitWordOrJoinedLetters(size_t i, size_t end);
  void ReplayWord(Token t, const WordMemo::Slot& slot);
  void EmitWordUncached(Token t, size_t i, size_t end);
  // The steps of EmitWordUncached, in order.
  WordFacts ReadWord(Token& t, size_t i, size_t end);
  void MapLookalikesAndCompose(Token& t, WordFacts& f);
  void CountWord(const Token& t, const WordFacts& f);
  int32_t ResolveSpelling(Token& t, WordFacts& f);
  // Expands teencode entry `entry`: one token per syllable, all sharing the
  // original span.
  void AppendExpansion(Token t, int32_t entry);
  // The teencode entry for the word `w`, or -1 (always -1 while
  // keep_spelling_).
  int32_t FindTeencode(const std::u32string& w);

  const TeencodeTable& teencode_;
  const uint32_t normalizer_id_;
  std::string_view post_;
  NormalizedText& out_;
  const CharProps* table_;
  const CodePoints cps_;
  TokenScanner scan_;
  WordMemo& memo_;
  std::string scratch_;
  std::string key_;
  int32_t last_expansion_ = -1;
  // The word being emitted is glued to a star, a fragment of a masked word
  // ("ng*" hides "ngu"): its letters are kept, not read as teencode.
  bool keep_spelling_ = false;
  // The word being read is a run of joined letters: ReadWord skips the
  // separators between them.
  bool skip_separators_ = false;
  std::u32string word_;
  std::u32string plain_;
};

}  // namespace vigil::normalize

#endif  // VIGIL_ANALYZERS_NORMALIZE_POST_NORMALIZER_H_
