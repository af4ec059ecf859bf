// Diacritic restoration: which accented syllables a post written without
// diacritics meant ("hom nay di choi vui qua" → "hôm nay đi chơi vui quá").
//
// Example:
//   std::vector<Choice> c = Restore(*lm, normalized, {});
//   std::string text = RestoredCanonical(*lm, normalized, c);
//
// Each sentence (a run of word tokens between other tokens) is a chain of
// slots: a word written without diacritics is open, its candidates the
// syllables of the model that fold to it (syllable_lm.h); every other word
// is fixed as written. The forward-backward algorithm over the chain under
// the bigram model gives each candidate's posterior probability; a word is
// restored to its most probable candidate when that probability reaches
// Options::min_confidence, and is otherwise left as written, so a name or
// an English word the model does not know stays as it is. The work is
// linear in the words and quadratic in the candidates a word has (at most
// Options::max_candidates).
//
// Thread safety: pure functions of immutable inputs.
#ifndef VIGIL_ANALYZERS_LM_RESTORER_H_
#define VIGIL_ANALYZERS_LM_RESTORER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/lm/syllable_lm.h"
#include "analyzers/normalize/normalizer.h"

namespace vigil::lm {

struct Options {
  // A word is restored only when its best candidate has at least this
  // posterior probability.
  double min_confidence = 0.9;
  // The most frequent candidates a word may become.
  int max_candidates = 8;
};

// One slot of a sentence: a fixed syllable id (possibly
// SyllableLm::kUnknown), or the candidates of an open word.
struct Slot {
  bool open = false;
  int32_t fixed = SyllableLm::kUnknown;
  std::vector<int32_t> candidates;  // open: most frequent first
};

// What became of one slot: the most probable candidate and its posterior
// probability (fixed slots: their id, probability 1).
struct Posterior {
  int32_t best = SyllableLm::kUnknown;
  double probability = 1.0;
};

// The slot of a word written without diacritics: its folded form's most
// frequent candidates (and the word as written, when the model knows it);
// fixed (as written) when there is nothing else it could be.
Slot WordSlot(const SyllableLm& lm, std::string_view folded,
              std::string_view as_written, int max_candidates);

// Posteriors of the slots of one sentence, in order.
std::vector<Posterior> Decode(const SyllableLm& lm,
                              const std::vector<Slot>& sentence);

// Per token of a normalized post.
struct Choice {
  bool open = false;      // a word written without diacritics, with
                          // candidates in the model
  bool restored = false;  // rewritten: confident, and not as written
  int32_t best = SyllableLm::kUnknown;
  double confidence = 0;
  std::vector<int32_t> candidates;
};

// The choices for every token of `text` (indexes as text.tokens()).
// Words that teencode expanded are fixed: the table already chose them.
std::vector<Choice> Restore(const SyllableLm& lm,
                            const normalize::NormalizedText& text,
                            const Options& options);

// text.canonical() with every restored word replaced by its syllable.
std::string RestoredCanonical(const SyllableLm& lm,
                              const normalize::NormalizedText& text,
                              const std::vector<Choice>& choices);

}  // namespace vigil::lm

#endif  // VIGIL_ANALYZERS_LM_RESTORER_H_
