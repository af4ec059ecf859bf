// Matcher::Create: compiles a lexicon into the matcher's tries, expanded
// regex phrases, prefiltered regexes and allowlist tries (matcher.cc
// explains how Match walks them).
#include <algorithm>
#include <atomic>
#include <optional>
#include <set>

#include "absl/strings/str_split.h"
#include "analyzers/match/finite_regex.h"
#include "analyzers/match/matcher.h"
#include "analyzers/match/matcher_impl.h"
#include "analyzers/match/regex_prefilter.h"
#include "analyzers/util/strings.h"

namespace vigil::match {

using normalize::NormalizedText;
using normalize::Token;
using normalize::TokenKind;

// Puts the phrases of a regex term that denotes a finite set of canonical
// syllable phrases into the syllable tries, as phrase terms are; false
// (nothing added) when it does not, and the term stays a regex.
bool Matcher::Impl::ExpandIntoTries(const Term& term, int32_t index,
                                    const normalize::Normalizer& normalizer) {
  std::optional<std::vector<std::string>> strings =
      ExpandFiniteRegex(term.text, kMaxRegexPhrases);
  if (!strings) return false;
  struct Phrase {
    std::vector<std::string> syllables, folded;
  };
  std::vector<Phrase> phrases;
  std::set<std::vector<std::string>> seen;
  for (const std::string& s : *strings) {
    // Optional groups leave doubled or edge spaces: "tao  giết".
    std::string phrase;
    for (std::string_view w : SplitChar(s, ' ')) {
      if (w.empty()) continue;
      if (!phrase.empty()) phrase += ' ';
      phrase.append(w);
    }
    if (phrase.empty()) return false;  // the regex can match nothing
    const NormalizedText n = normalizer.Normalize(phrase);
    // A phrase the normalizer would rewrite ("ko" → "không", upper case)
    // never occurs in a normalized post: the regex cannot match it either.
    if (n.canonical() != phrase) continue;
    Phrase p;
    for (const Token& t : n.tokens()) {
      if (t.kind != TokenKind::kWord && t.kind != TokenKind::kNumber) {
        return false;
      }
      p.syllables.emplace_back(n.text(t));
      p.folded.emplace_back(n.folded_text(t));
    }
    if (seen.insert(p.syllables).second) phrases.push_back(std::move(p));
  }
  for (Phrase& p : phrases) {
    const int32_t value = kExpandedBase + static_cast<int32_t>(expanded.size());
    canonical.Add(canonical_dict, p.syllables, value);
    if (term.fold) folded.Add(folded_dict, p.folded, value);
    expanded.push_back({index, std::move(p.syllables)});
  }
  return true;
}

Matcher::Matcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Matcher::~Matcher() = default;

absl::StatusOr<std::unique_ptr<const Matcher>> Matcher::Create(
    const Lexicon& lexicon, const normalize::Normalizer& normalizer,
    const Options& options) {
  auto impl = std::make_unique<Impl>();
  static std::atomic<uint64_t> next_id{1};
  impl->id = next_id.fetch_add(1, std::memory_order_relaxed);
  impl->lexicon = &lexicon;
  impl->normalizer = &normalizer;
  impl->min_learned_hit_weight = options.min_learned_hit_weight;
  re2::RE2::Options re2_options;
  re2_options.set_log_errors(false);
  std::vector<std::string> prefilter_patterns;
  for (size_t i = 0; i < lexicon.terms().size(); ++i) {
    const Term& term = lexicon.terms()[i];
    const int32_t index = static_cast<int32_t>(i);
    impl->category.push_back(static_cast<uint8_t>(term.category));
    impl->severity.push_back(term.severity);
    if (term.learned) {
      impl->learned.Add(
          impl->canonical_dict,
          std::vector<std::string>(absl::StrSplit(term.text, ' ')),
          {index, static_cast<int32_t>(term.category), term.weight});
      continue;
    }
    if (!term.is_regex) {
      impl->canonical.Add(impl->canonical_dict, term.syllables, index);
      if (term.fold) impl->folded.Add(impl->folded_dict, term.folded, index);
      continue;
    }
    // A frame is a regex ExpandFiniteRegex could not expand at load.
    if (!term.frame && impl->ExpandIntoTries(term, index, normalizer)) {
      continue;
    }
    Impl::RegexTerm& r = impl->regex_terms.emplace_back();
    r.term = index;
    r.canonical = std::make_unique<re2::RE2>(term.text, re2_options);
    if (!r.canonical->ok()) {
      return absl::InvalidArgumentError(
          term.where.ToString() + ": invalid regex: " + r.canonical->error());
    }
    // The folded view has no diacritics, so neither may the pattern.
    const std::string folded = FoldPattern(term.text);
    if (term.fold) {
      r.folded = std::make_unique<re2::RE2>(folded, re2_options);
      if (!r.folded->ok()) {
        return absl::InvalidArgumentError(
            term.where.ToString() + ": folded regex: " + r.folded->error());
      }
    }
    prefilter_patterns.push_back(PrefilterPattern(folded));
  }
  if (!options.prefilter)
    prefilter_patterns.assign(prefilter_patterns.size(), "");
  if (absl::Status s = impl->regex_set.Compile(prefilter_patterns); !s.ok()) {
    return s;
  }
  for (size_t i = 0; i < lexicon.allowlist().size(); ++i) {
    const AllowPhrase& a = lexicon.allowlist()[i];
    impl->allow_canonical.Add(impl->canonical_dict, a.syllables,
                              static_cast<int32_t>(i));
    impl->allow_folded.Add(impl->folded_dict, a.folded,
                           static_cast<int32_t>(i));
  }
  for (Trie<int32_t>* trie : {&impl->canonical, &impl->folded,
                              &impl->allow_canonical, &impl->allow_folded}) {
    trie->Finalize();
  }
  impl->learned.Finalize();
  for (const auto& [syllable, id] : impl->canonical_dict.ids) {
    std::string folded = FoldPattern(syllable);
    const int32_t folded_id = impl->folded_dict.IdOf(folded);
    impl->mask_candidates.push_back({std::move(folded), id, folded_id});
  }
  // Dictionary order is a hash map's: sort, so matching is deterministic.
  std::sort(impl->mask_candidates.begin(), impl->mask_candidates.end(),
            [](const Impl::MaskCandidate& a, const Impl::MaskCandidate& b) {
              return a.canonical_id < b.canonical_id;
            });
  return std::unique_ptr<const Matcher>(new Matcher(std::move(impl)));
}

}  // namespace vigil::match
