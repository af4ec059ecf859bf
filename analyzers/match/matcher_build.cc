// Matcher::Create: compiles a lexicon into the matcher's tries, expanded
// regex phrases, prefiltered regexes and allowlist tries (matcher.cc
// explains how Match walks them).
#include <algorithm>
#include <atomic>
#include <optional>
#include <set>
#include <system_error>
#include <thread>

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

// The phrases of a regex term that denotes a finite set of canonical
// syllable phrases, to go into the syllable tries as phrase terms do; none
// when it does not, and the term stays a regex.
std::optional<Matcher::Impl::Phrases> Matcher::Impl::Expand(
    const Term& term, const normalize::Normalizer& normalizer) {
  std::optional<std::vector<std::string>> strings =
      ExpandFiniteRegex(term.text, kMaxRegexPhrases);
  if (!strings) return std::nullopt;
  Phrases phrases;
  std::set<std::string> seen;
  for (const std::string& s : *strings) {
    // Optional groups leave doubled or edge spaces: "tao  giết".
    std::string phrase;
    for (std::string_view w : SplitChar(s, ' ')) {
      if (w.empty()) continue;
      if (!phrase.empty()) phrase += ' ';
      phrase.append(w);
    }
    if (phrase.empty()) return std::nullopt;  // the regex can match nothing
    const NormalizedText n = normalizer.Normalize(phrase);
    // A phrase the normalizer would rewrite ("ko" → "không", upper case)
    // never occurs in a normalized post: the regex cannot match it either.
    if (n.canonical() != phrase) continue;
    std::string syllables, folded;
    for (const Token& t : n.tokens()) {
      if (t.kind != TokenKind::kWord && t.kind != TokenKind::kNumber) {
        return std::nullopt;
      }
      if (!syllables.empty()) {
        syllables += ' ';
        folded += ' ';
      }
      syllables.append(n.text(t));
      folded.append(n.folded_text(t));
    }
    if (!seen.insert(syllables).second) continue;
    phrases.canonical.append(syllables).push_back('\n');
    phrases.folded.append(folded).push_back('\n');
  }
  return phrases;
}

void Matcher::Impl::AddExpanded(const Term& term, int32_t index,
                                const Phrases& phrases) {
  const std::vector<std::string_view> canonical_lines =
      SplitChar(phrases.canonical, '\n');
  const std::vector<std::string_view> folded_lines =
      term.fold ? SplitChar(phrases.folded, '\n')
                : std::vector<std::string_view>();
  std::vector<std::string> syllables, folded_syllables;
  // Each list ends with a newline: its last piece is empty.
  for (size_t k = 0; k + 1 < canonical_lines.size(); ++k) {
    syllables.clear();
    for (std::string_view w : SplitChar(canonical_lines[k], ' ')) {
      syllables.emplace_back(w);
    }
    const int32_t value = kExpandedBase + static_cast<int32_t>(expanded.size());
    canonical.Add(canonical_dict, syllables, value);
    if (term.fold) {
      folded_syllables.clear();
      for (std::string_view w : SplitChar(folded_lines[k], ' ')) {
        folded_syllables.emplace_back(w);
      }
      folded.Add(folded_dict, folded_syllables, value);
    }
    expanded.push_back({index, syllables});
  }
}

namespace {

// RegexFilter::Compile(patterns) on a thread of its own, waited for by
// Wait() or at destruction (an early return from Create). Compiles on the
// calling thread when no thread can be started.
class BackgroundCompile {
 public:
  BackgroundCompile(RegexFilter* filter, std::vector<std::string> patterns)
      : filter_(filter), patterns_(std::move(patterns)) {
    try {
      thread_ = std::thread([this] { status_ = filter_->Compile(patterns_); });
    } catch (const std::system_error&) {
      status_ = filter_->Compile(patterns_);
    }
  }
  ~BackgroundCompile() { (void)Wait(); }
  BackgroundCompile(const BackgroundCompile&) = delete;
  BackgroundCompile& operator=(const BackgroundCompile&) = delete;

  absl::Status Wait() {
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  RegexFilter* const filter_;
  const std::vector<std::string> patterns_;
  absl::Status status_;
  std::thread thread_;
};

}  // namespace

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
  // First the regex terms: each is expanded into phrases for the tries or
  // stays a regex. The prefilter database of the regexes left (Hyperscan's
  // compiler: most of Create's time) then compiles on a thread of its own
  // while the tries are built.
  std::vector<std::optional<Impl::Phrases>> expansions(lexicon.terms().size());
  std::vector<std::string> prefilter_patterns;
  for (size_t i = 0; i < lexicon.terms().size(); ++i) {
    const Term& term = lexicon.terms()[i];
    if (term.learned || !term.is_regex) continue;
    // A frame is a regex ExpandFiniteRegex could not expand at load.
    if (!term.frame) expansions[i] = Impl::Expand(term, normalizer);
    if (expansions[i]) continue;
    Impl::RegexTerm& r = impl->regex_terms.emplace_back();
    r.term = static_cast<int32_t>(i);
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
  if (!options.prefilter) {
    prefilter_patterns.assign(prefilter_patterns.size(), "");
  }
  BackgroundCompile compile(&impl->regex_set, std::move(prefilter_patterns));
  // Then every term in order (so that trie nodes and values are numbered
  // as they always were).
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
    } else if (!term.is_regex) {
      impl->canonical.Add(impl->canonical_dict, term.syllables, index);
      if (term.fold) impl->folded.Add(impl->folded_dict, term.folded, index);
    } else if (expansions[i]) {
      impl->AddExpanded(term, index, *expansions[i]);
      expansions[i].reset();
    }
  }
  expansions = {};
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
  if (absl::Status s = compile.Wait(); !s.ok()) return s;
  return std::unique_ptr<const Matcher>(new Matcher(std::move(impl)));
}

}  // namespace vigil::match
