// Diacritic restoration and teencode in context: which words a post
// written without diacritics, or with ambiguous abbreviations, meant
// ("hom nay di choi vui qua" → "hôm nay đi chơi vui quá"; "k" → "không",
// "ck" → "chồng" or "chuyển khoản" by its neighbours).
//
// Example:
//   std::vector<Choice> c =
//       Restore(*lm, normalizer.teencode(), normalized, {});
//   std::string text = RestoredCanonical(normalized, c);
//
// Each sentence (a run of words and numbers between other tokens) is a chain of
// slots. A slot holds options, each a sequence of syllables: a word written
// without diacritics has the syllables of the model that fold to it; an
// ambiguous teencode word (normalize::TeencodeTable) has its expansions
// ("như thế nào", "như thế này"), and the folded candidates too when it is
// also written bare ("oi": ơi, ôi); every other word is one fixed option,
// as written. The forward-backward algorithm over the chain under the
// pair model (an option scores the pair into its first syllable, the pairs
// inside it, and the pair out of its last; with triples, a second pass over
// pairs of words rescores the pair model's likeliest options) gives each
// option's posterior probability; a word is rewritten to its most probable
// option when that reaches Options::min_confidence, and is otherwise left
// as written, so a name or an English word the model does not know stays
// as it is. Only the words around open slots are decoded (two fixed words
// on each side make the rest irrelevant). The work is linear in the words
// and quadratic in the options a word has (at most Options::max_candidates
// from the model, plus its expansions).
//
// Thread safety: pure functions of immutable inputs.
#ifndef VIGIL_ANALYZERS_LM_RESTORER_H_
#define VIGIL_ANALYZERS_LM_RESTORER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "analyzers/lm/syllable_lm.h"
#include "analyzers/normalize/normalizer.h"

namespace vigil::lm {

struct Options {
  // A word is rewritten only when its best option has at least this
  // posterior probability.
  double min_confidence = 0.9;
  // The most frequent syllables of the model a bare word may become.
  int max_candidates = 8;
  // Read every word as if written without diacritics (its folded form):
  // how `vigil lm eval` measures restoration on accented posts.
  bool strip_marks = false;
  // False: only ambiguous teencode words are read; words written without
  // diacritics stay as written (how an accented post is read).
  bool read_bare_words = true;
  // False: Choice::candidates holds only the chosen option (best 0), which
  // is all analysis needs and saves a string per option.
  bool all_candidates = true;
};

// One slot of a sentence: its options, each a sequence of syllable ids
// (SyllableLm::kUnknown for a syllable the model does not know), and
// whether the word may be rewritten (open): it has several options, or its
// one option is not the word as written ("hom" → "hôm").
// An option: a sequence of syllable ids, nearly always one (a word) or two
// or three (an abbreviation read as a phrase), kept inline.
using Option = absl::InlinedVector<int32_t, 3>;
struct Slot {
  std::vector<Option> options;
  bool open = false;
};

// The slot of a word written without diacritics: its folded form's most
// frequent candidates (and the word as written, when the model knows it);
// fixed (as written) when there is nothing else it could be.
Slot WordSlot(const SyllableLm& lm, std::string_view folded,
              std::string_view as_written, int max_candidates);

// The most probable option of a slot and its posterior probability (a
// fixed slot: 0, probability 1).
struct Posterior {
  int best = 0;
  double probability = 1.0;
};

// Posteriors of the slots of one sentence, in order.
std::vector<Posterior> Decode(const SyllableLm& lm,
                              const std::vector<Slot>& sentence);

// Per token of a normalized post.
struct Choice {
  bool open = false;      // a word the model had options for
  bool restored = false;  // rewritten: confident, and not as written
  int best = -1;          // index into candidates
  double confidence = 0;
  // The options' text (only the chosen one unless
  // Options::all_candidates).
  std::vector<std::string> candidates;
};

// The choices for every token of `text` (indexes as text.tokens()), which
// `teencode` (the normalizer's table) normalized. Words that teencode
// expanded unambiguously are fixed: the table chose them.
std::vector<Choice> Restore(const SyllableLm& lm,
                            const normalize::TeencodeTable& teencode,
                            const normalize::NormalizedText& text,
                            const Options& options);

// text.canonical() with every restored word replaced by its choice.
std::string RestoredCanonical(const normalize::NormalizedText& text,
                              const std::vector<Choice>& choices);

}  // namespace vigil::lm

#endif  // VIGIL_ANALYZERS_LM_RESTORER_H_
