// The compiled form of a lexicon that Matcher::Create builds
// (matcher_build.cc) and Matcher::Match walks (matcher.cc). Internal to the
// matcher.
//
// Thread safety: immutable after Create; shared by all threads.
#ifndef VIGIL_ANALYZERS_MATCH_MATCHER_IMPL_H_
#define VIGIL_ANALYZERS_MATCH_MATCHER_IMPL_H_

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzers/match/lexicon.h"
#include "analyzers/match/matcher.h"
#include "analyzers/match/regex_prefilter.h"
#include "analyzers/match/syllable_trie.h"
#include "analyzers/normalize/normalizer.h"

namespace vigil::match {

// A learned n-gram as the learned trie holds it: what the walk needs, in
// one place (one cache line instead of three arrays indexed by term).
struct LearnedValue {
  int32_t term;
  int32_t category;
  double weight;
};

struct Matcher::Impl {
  const Lexicon* lexicon;
  const normalize::Normalizer* normalizer;
  // Learned n-grams of at least this weight are returned as hits
  // (Options::min_learned_hit_weight).
  double min_learned_hit_weight = 0;
  SyllableDict canonical_dict;  // syllables of the canonical-view tries
  SyllableDict folded_dict;     // syllables of the folded-view tries
  Trie<int32_t> canonical;      // terms by canonical syllables
  Trie<int32_t> folded;         // fold-allowed terms by folded syllables
  Trie<LearnedValue> learned;   // learned n-grams (canonical only)
  // Hot fields of each term, compact for the per-token loops.
  std::vector<uint8_t> category;
  std::vector<Severity> severity;
  // Regex terms that denote a finite set of phrases (finite_regex.h) are
  // in the syllable tries as values kExpandedBase + i of expanded[i].
  struct ExpandedPhrase {
    int32_t term;
    std::vector<std::string> syllables;
  };
  std::vector<ExpandedPhrase> expanded;
  static constexpr int32_t kExpandedBase = int32_t{1} << 30;
  int32_t TermOf(int32_t value) const {
    return value >= kExpandedBase ? expanded[value - kExpandedBase].term
                                  : value;
  }
  // A regex term's finite set of phrases (matcher_build.cc), put into the
  // tries by AddExpanded: each phrase a line of syllables joined by spaces,
  // canonical and folded (few allocations: a lexicon's regex terms expand
  // to hundreds of thousands of phrases, all held while the prefilter
  // compiles).
  struct Phrases {
    std::string canonical, folded;
  };
  static std::optional<Phrases> Expand(const Term& term,
                                       const normalize::Normalizer& normalizer);
  void AddExpanded(const Term& term, int32_t index, const Phrases& phrases);
  const std::vector<std::string>& SyllablesOf(const Lexicon& lex,
                                              int32_t value) const {
    return value >= kExpandedBase ? expanded[value - kExpandedBase].syllables
                                  : lex.terms()[value].syllables;
  }
  // Every canonical-dictionary syllable with its folded letters and its id
  // in the folded dictionary (-1: none), for masked words ("l*n",
  // masked_word.h).
  struct MaskCandidate {
    std::string folded;
    int32_t canonical_id;
    int32_t folded_id;
  };
  std::vector<MaskCandidate> mask_candidates;
  Trie<int32_t> allow_canonical;  // allowlist phrases
  Trie<int32_t> allow_folded;
  // The regex terms left after expansion, prefiltered by one Hyperscan
  // database of their PrefilterPattern forms (regex_prefilter.h).
  uint64_t id = 0;        // tells matchers apart for the per-thread scratch
  RegexFilter regex_set;  // filter id → the regex terms below
  struct RegexTerm {
    int32_t term;
    std::unique_ptr<re2::RE2> canonical;  // on the canonical view
    std::unique_ptr<re2::RE2> folded;     // fold-allowed terms: folded view
  };
  std::vector<RegexTerm> regex_terms;

  // One call of Match(), phase by phase (matcher.cc).
  class Run;
};

}  // namespace vigil::match

#endif  // VIGIL_ANALYZERS_MATCH_MATCHER_IMPL_H_
