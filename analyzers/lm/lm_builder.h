// Counts syllables, syllable pairs and triples of posts for a SyllableLm
// (syllable_lm.h) and writes its model file.
//
// Example:
//   LmBuilder b(normalizer);
//   for (const std::string& line : wikipedia) b.AddPost(line, 1);
//   for (const std::string& c : comments) b.AddPost(c, 10);
//   std::string model = b.Write({.min_syllable = 3, .min_pair = 10},
//                               "# license notice\n");
//
// A post is normalized (canonical syllables, teencode expanded) and cut into
// sentences at every token that is not a word (punctuation, numbers, links,
// emoji). Posts written without diacritics (NormalizedText::unaccented())
// are skipped: they would teach folded spellings as words.
//
// Thread safety: not thread-safe; one builder per thread.
#ifndef VIGIL_ANALYZERS_LM_LM_BUILDER_H_
#define VIGIL_ANALYZERS_LM_LM_BUILDER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "analyzers/normalize/normalizer.h"

namespace vigil::lm {

class LmBuilder {
 public:
  // `normalizer` must outlive the builder.
  explicit LmBuilder(const normalize::Normalizer& normalizer);

  // Counts `post`'s sentences `weight` times (weight >= 1: a small corpus
  // closer to the posts vigil reads may count more than a large one).
  void AddPost(std::string_view post, int weight);

  // Counts `word` (one syllable, as a frequency list spells it) `count`
  // times in the prior: a second unigram distribution, from text closer to
  // speech than the corpus, that P1 mixes in (syllable_lm.h). Words of more
  // than one syllable, or that normalize to nothing, are ignored.
  void AddPrior(std::string_view word, int64_t count);

  struct Limits {
    int64_t min_syllable = 3;  // syllables counted fewer times are dropped
    int64_t min_pair = 10;     // and pairs (of kept syllables) likewise
    int64_t min_triple = 0;    // and triples (0: no triples, a bigram model)
  };
  // The model file: `header` (comment lines, each starting with '#'), the
  // @lm line, then syllables, pairs and triples, most frequent first. Only
  // words of letters are kept (no digits, no stray combining marks).
  // Deterministic for the same posts in the same order.
  std::string Write(const Limits& limits, std::string_view header) const;

  int64_t posts() const { return posts_; }
  int64_t skipped_unaccented() const { return skipped_unaccented_; }

 private:
  int32_t Intern(std::string_view syllable, std::string_view folded);

  const normalize::Normalizer& normalizer_;
  absl::flat_hash_map<std::string, int32_t> ids_;
  std::vector<std::string> syllables_{"<s>"};
  std::vector<std::string> folded_{"<s>"};
  std::vector<int64_t> counts_{0};
  absl::flat_hash_map<uint64_t, int64_t> pairs_;
  absl::flat_hash_map<std::string, int64_t> prior_;  // canonical syllable
  absl::flat_hash_map<uint64_t, int64_t> triples_;   // a << 42 | b << 21 | c
  int64_t posts_ = 0;
  int64_t skipped_unaccented_ = 0;
};

}  // namespace vigil::lm

#endif  // VIGIL_ANALYZERS_LM_LM_BUILDER_H_
