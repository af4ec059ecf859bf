// A syllable trigram language model of Vietnamese, for restoring the
// diacritics of words written without them (restorer.h).
//
// Example:
//   auto lm = SyllableLm::Load("lexicons/lm/syllables.tsv.gz");
//   int32_t hom = (*lm)->IdOf("hôm");
//   double lp = (*lm)->LogProb(hom, (*lm)->IdOf("nay"));  // log P(nay | hôm)
//   for (int32_t id : (*lm)->Candidates("ma")) (*lm)->Syllable(id);
//   // "ma", "mà", "má", "mã", "mạ", ... most frequent first
//
// The model is counts: of syllables (canonical: lowercase, NFC, old-style
// tone placement, as `vigil normalize` prints them) and of pairs of
// consecutive syllables within a sentence, kept above a minimum count
// (LmBuilder). P(w | v) interpolates the pair count with the syllable's
// own frequency by absolute discounting (Ney, Essen and Kneser 1994):
//   P(w | v) = max(c(v w) - D, 0) / c(v) + lambda(v) * P1(w)
// where lambda(v) is the mass the discount and the pruned pairs left, and
// P1(w) = (c(w) + 0.1) / (N + 0.1 V), over the V syllables, the sentence
// boundary and one unknown word, gives an unknown syllable (a name, an
// English word) a small probability. When the file gives the syllables a
// prior (counts from a frequency list of other text), P1 is the mean of
// the two: (P1(w) + (p(w) + 0.1) / (P + 0.1 V)) / 2, and candidates are
// ordered by it. Triples, when the file has them,
// interpolate the same way over the pair model:
//   P(w | u v) = max(c(u v w) - D, 0) / c(u v) + lambda(u v) * P(w | v)
// (P(w | v) alone where no triple of the history u v was kept).
//
// Numbers (normalize::TokenKind::kNumber) count as the pseudo-syllable
// kNumber; every other token that is not a word ends a sentence.
//
// File format (text, optionally gzip-compressed; '#' lines are comments):
//   @lm<TAB>discount=0.75
//   1<TAB>syllable<TAB>folded<TAB>count[<TAB>prior]
//   2<TAB>syllable<TAB>syllable<TAB>count
//   3<TAB>syllable<TAB>syllable<TAB>syllable<TAB>count
// A "2" or "3" line's syllables must have "1" lines, and a "3" line's
// first pair a "2" line. Errors name file:line.
//
// Thread safety: immutable after Load(); share it across threads.
#ifndef VIGIL_ANALYZERS_LM_SYLLABLE_LM_H_
#define VIGIL_ANALYZERS_LM_SYLLABLE_LM_H_

#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "analyzers/util/huge_pages.h"

namespace vigil::lm {

class SyllableLm {
 public:
  // The sentence boundary: LogProb(kBoundary, w) is the probability of w
  // starting a sentence, LogProb(v, kBoundary) of v ending one.
  static constexpr int32_t kBoundary = 0;
  // What IdOf returns for a syllable the model does not know.
  static constexpr int32_t kUnknown = -1;
  // The pseudo-syllable every number stands for ("50 k": <num> k), so that
  // a number is context ("50 k" is 50 nghìn) rather than a sentence break.
  static constexpr char kNumber[] = "<num>";

  // Reads a model file (plain or gzip). InvalidArgument with file:line on
  // a malformed line; NotFound when the file is missing.
  static absl::StatusOr<std::shared_ptr<const SyllableLm>> Load(
      const std::string& path);
  // The same from the file's text; `name` is used in error messages.
  static absl::StatusOr<std::shared_ptr<const SyllableLm>> Parse(
      std::string_view text, std::string_view name);

  // The id of a canonical syllable, or kUnknown.
  int32_t IdOf(std::string_view syllable) const;
  // The syllable of an id (kBoundary is "<s>").
  const std::string& Syllable(int32_t id) const { return syllables_[id]; }
  // The known syllables whose folded form (no diacritics, đ → d) is
  // `folded`, most frequent first; empty when none.
  std::span<const int32_t> Candidates(std::string_view folded) const;
  // P(next | prev) and its log; either may be kBoundary, and next may be
  // kUnknown (prev kUnknown: no context, P1(next)).
  double Prob(int32_t prev, int32_t next) const;
  // Prob(prev, next) for every id of `nexts`, into `out` (as many): the
  // same values, bit for bit, with the pair lookups issued together so
  // that their cache misses overlap (the decoder asks for whole rows).
  void ProbRow(int32_t prev, std::span<const int32_t> nexts, double* out) const;
  double LogProb(int32_t prev, int32_t next) const {
    return std::log(Prob(prev, next));
  }
  // P(next | prev2 prev): the triple model; prev2 kUnknown (no such
  // context, or before a sentence) gives Prob(prev, next).
  double Prob(int32_t prev2, int32_t prev, int32_t next) const;
  // How often the syllable was seen (0 for kUnknown).
  int64_t Count(int32_t id) const { return id < 0 ? 0 : counts_[id]; }

  size_t syllable_count() const { return syllables_.size() - 1; }
  size_t pair_count() const { return pairs_.size(); }
  size_t triple_count() const { return triples_.size(); }

 private:
  SyllableLm() = default;
  double Unigram(int32_t id) const;

  double discount_ = 0.75;
  std::vector<std::string> syllables_;  // by id; [0] is "<s>"
  std::vector<int64_t> counts_;         // by id
  std::vector<double> backoff_;         // lambda(v) by id
  // The tables a reading looks up at random are on huge pages where the
  // kernel offers them (huge_pages.h).
  HugePageHashMap<std::string, int32_t> ids_;
  HugePageHashMap<std::string, std::vector<int32_t>> candidates_;
  HugePageHashMap<uint64_t, int64_t> pairs_;  // prev << 32 | next
  // Which pairs pairs_ may hold: a Bloom filter of 64-bit blocks, four bits
  // of one block per pair (PairFilterMask), about 9 bits a pair, so that
  // it stays in cache. Most pairs a decoder asks ProbRow about are not in
  // the model, and a probe of pairs_ for one is a cache miss. No false
  // negatives, so ProbRow's values are Prob's.
  std::vector<uint64_t> pair_filter_;  // size a power of two
  bool MayHavePair(uint64_t key) const;
  // prev2 << 42 | prev << 21 | next (ids below 2^21)
  HugePageHashMap<uint64_t, int64_t> triples_;
  struct History {
    double backoff = 0;        // lambda(u v)
    double inverse_count = 0;  // 1 / c(u v)
  };
  HugePageHashMap<uint64_t, History> histories_;  // u << 32 | v
  double total_ = 0;                              // N + 0.1 V
  std::vector<int64_t> priors_;  // by id; empty when the file has none
  double prior_total_ = 0;       // P + 0.1 V
};

}  // namespace vigil::lm

#endif  // VIGIL_ANALYZERS_LM_SYLLABLE_LM_H_
