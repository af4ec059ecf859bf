// Matching works on tokens, never on raw substrings, which is what keeps
// "Scunthorpe" hits out: a term is a sequence of whole syllables, and a
// regex hit counts only when it starts and ends on token boundaries.
//
// Syllable terms live in two tries keyed by syllable text: one over the
// canonical syllables of every term, one over the folded syllables of the
// terms that may match without diacritics. For each token the matcher walks
// both tries forward over the following tokens (terms are a few syllables
// long, so this is linear in practice). The folded walk only accepts a
// token whose diacritics were absent as written (or any token of an
// unaccented post); a token that carries diacritics must equal the term's
// own canonical syllable there. That is how "dit me" can hit "địt mẹ" while
// "đít" (with its own, different diacritics) cannot.
//
// Regex terms that denote a finite set of syllable phrases (most of them:
// alternations of wordings) are expanded into the tries at Create()
// (finite_regex.h). The others are prefiltered by one Hyperscan database
// of their folded, loosened forms, compiled in prefilter mode: a single
// pass over the post's folded view names the terms that may match in
// either view (loosening and prefilter mode widen a pattern, never narrow
// it), and only those run, each alone with RE2, to find their spans on
// token boundaries.
//
// Letters split by separators ("đ.m", "d-m", "d m") are joined, the joined
// word is normalized (so teencode applies: "đm" → "địt mẹ"), and the tries
// are walked over the result; a hit spans the whole run of letters.
//
// A word with letters hidden by stars ("óc ch*", "vãi l*n"; masked_word.h)
// is tried as each syllable of the tries' dictionary that fits its mask:
// the tries are walked over a window of a few tokens around it with the
// masked word in one position, and a phrase counts when it spans the masked
// word and at least one word as written, whose context says which word was
// hidden. The masked word alone counts only when a single syllable of the
// dictionary fits ("l*n" may be lồn, lớn or lên: it does not).
//
// Allowlisted phrases are found the same way; a hit whose token range lies
// inside an allowlisted occurrence, for its category, is dropped.
//
// Match() runs in phases (Impl::Run below): syllable terms, regex terms,
// joined letters, masked words, allowlist and dedupe, learned n-grams. The
// tries are in syllable_trie.h and walked by trie_walk.h; the regex prefilter
// is in regex_prefilter.h; Create() is in matcher_build.cc.
#include "analyzers/match/matcher.h"

#include <hs/hs.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <string>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "analyzers/match/masked_word.h"
#include "analyzers/match/matcher_impl.h"
#include "analyzers/match/trie_walk.h"

namespace vigil::match {

using normalize::NormalizedText;
using normalize::Token;
using normalize::TokenKind;

namespace {
// Bits of Token::steps that say how a hit was made possible.
constexpr uint32_t kEvasionSteps =
    normalize::kStepFormatRemoved | normalize::kStepConfusable |
    normalize::kStepEth | normalize::kStepRepeatCollapsed |
    normalize::kStepLeetspeak | normalize::kStepTeencode |
    normalize::kStepLettersJoined | normalize::kStepRestored;
}  // namespace

std::vector<std::string_view> ViaNames(uint32_t steps) {
  std::vector<std::string_view> names =
      normalize::StepNames(steps & kEvasionSteps);
  if (steps & kViaFolded) names.push_back("folded");
  if (steps & kViaJoined) names.push_back("joined_separators");
  if (steps & kViaMasked) names.push_back("masked_letters");
  return names;
}

namespace {

// Index of the token whose `member` offset equals `offset`, or -1.
template <uint32_t Token::*member>
int64_t TokenAt(const std::vector<Token>& tokens, uint32_t offset) {
  auto it = std::lower_bound(
      tokens.begin(), tokens.end(), offset,
      [](const Token& t, uint32_t off) { return t.*member < off; });
  if (it == tokens.end() || (*it).*member != offset) return -1;
  return it - tokens.begin();
}

bool IsJoinSeparator(std::string_view punct) {
  return punct == "." || punct == "-" || punct == "_" || punct == "*" ||
         punct == "," || punct == "/" || punct == "+";
}

// True when `t` is a word of exactly one code point.
bool IsSingleLetter(const Token& t) {
  return t.kind == TokenKind::kWord && t.end_char - t.begin_char == 1 &&
         t.parts == 1;
}

// A thread's Hyperscan scratch for a matcher's database. Each thread keeps
// scratches for the last few matchers it scanned with, so that a thread
// alternating between two matchers (a backtest's serving and candidate
// lexicons, requests on both sides of a reload) reuses each one's: asking
// hs_alloc_scratch to re-fit one scratch on every switch took 40% of a
// backtest's time. Null if a scratch could not be allocated.
hs_scratch_t* ScratchFor(const RegexFilter& filter, uint64_t matcher_id) {
  struct Slot {
    hs_scratch_t* scratch = nullptr;
    uint64_t fits = 0;  // the matcher it was allocated for; 0: none
  };
  struct Scratches {
    std::array<Slot, 4> slots;
    size_t next = 0;  // the slot to take for a new matcher (round robin)
    ~Scratches() {
      for (Slot& slot : slots) {
        if (slot.scratch != nullptr) hs_free_scratch(slot.scratch);
      }
    }
  };
  thread_local Scratches hs;
  for (Slot& slot : hs.slots) {
    if (slot.fits == matcher_id) return slot.scratch;
  }
  Slot& slot = hs.slots[hs.next];
  hs.next = (hs.next + 1) % hs.slots.size();
  // A scratch that fitted another matcher's database is grown to fit this
  // one (hs_alloc_scratch keeps what it has when that suffices).
  slot.fits = filter.db == nullptr ||
                      hs_alloc_scratch(filter.db, &slot.scratch) == HS_SUCCESS
                  ? matcher_id
                  : 0;
  return slot.fits == matcher_id ? slot.scratch : nullptr;
}

bool ByPosition(const Hit& a, const Hit& b) {
  return std::tie(a.first_token, a.last_token, a.term, a.via) <
         std::tie(b.first_token, b.last_token, b.term, b.via);
}

}  // namespace

// One call of Match(). Per-thread buffers (here and in the phases) keep the
// analyze path from allocating much per post.
class Matcher::Impl::Run {
 public:
  Run(const Impl& impl, const NormalizedText& text)
      : impl_(impl),
        lex_(*impl.lexicon),
        text_(text),
        tokens_(text.tokens()),
        view_{&text, text.unaccented()},
        ids_(Ids()),
        allowed_(Allowed()) {
    LookUpIds(text, impl.canonical_dict, impl.folded_dict, &ids_);
    allowed_.clear();
    allowed_found_ = lex_.allowlist().empty();
  }

  void SyllableTerms();
  void RegexTerms();
  void JoinedLetters();
  void MaskedWords();
  void DropAllowedAndDuplicates();
  void LearnedNgrams(LearnedSums* sums, const NormalizedText& view);
  std::vector<Hit> TakeHits() { return std::move(hits_); }

 private:
  static ViewIds& Ids() {
    thread_local ViewIds ids;
    return ids;
  }
  static std::vector<Found>& Allowed() {
    thread_local std::vector<Found> allowed;
    return allowed;
  }
  const std::vector<std::string>& TermSyllables(int32_t v) const {
    return impl_.SyllablesOf(lex_, v);
  }
  void AddHit(int32_t term, size_t first, size_t last, uint32_t via);
  // Whether the range [first, last] lies inside an allowlisted phrase for
  // `term`'s category. The allowlist is walked on first use: most posts
  // without hits never need it.
  bool IsAllowed(int32_t term, size_t first, size_t last);
  void RunRegex(int32_t term, const re2::RE2& re, const std::string& view_text,
                bool folded);

  const Impl& impl_;
  const Lexicon& lex_;
  const NormalizedText& text_;
  const std::vector<Token>& tokens_;
  const TokenView view_;
  ViewIds& ids_;
  std::vector<Found>& allowed_;
  bool allowed_found_ = false;
  std::vector<Hit> hits_;
};

void Matcher::Impl::Run::AddHit(int32_t term, size_t first, size_t last,
                                uint32_t via) {
  Hit h;
  h.term = term;
  h.first_token = static_cast<uint32_t>(first);
  h.last_token = static_cast<uint32_t>(last);
  h.begin = tokens_[first].begin;
  h.end = tokens_[last].end;
  h.begin_char = tokens_[first].begin_char;
  h.end_char = tokens_[last].end_char;
  for (size_t k = first; k <= last; ++k) via |= tokens_[k].steps;
  h.via = via & (kEvasionSteps | kViaFolded | kViaJoined | kViaMasked);
  h.severity = impl_.severity[term];
  hits_.push_back(h);
}

bool Matcher::Impl::Run::IsAllowed(int32_t term, size_t first, size_t last) {
  if (!allowed_found_) {
    const Lexicon& lex = lex_;
    WalkTries(
        &impl_.allow_canonical, &impl_.allow_folded, view_, ids_,
        [&lex](int32_t v) -> const std::vector<std::string>& {
          return lex.allowlist()[v].syllables;
        },
        &allowed_);
    allowed_found_ = true;
  }
  const uint32_t bit = 1u << impl_.category[term];
  for (const Found& a : allowed_) {
    if (a.first <= first && last <= a.last &&
        (lex_.allowlist()[a.value].categories & bit)) {
      return true;
    }
  }
  return false;
}

void Matcher::Impl::Run::SyllableTerms() {
  thread_local std::vector<Found> found;
  found.clear();
  WalkTries(
      &impl_.canonical, &impl_.folded, view_, ids_,
      [this](int32_t v) -> const std::vector<std::string>& {
        return TermSyllables(v);
      },
      &found);
  for (const Found& f : found) {
    AddHit(impl_.TermOf(f.value), f.first, f.last,
           f.folded ? uint32_t{kViaFolded} : 0u);
  }
}

void Matcher::Impl::Run::RunRegex(int32_t term, const re2::RE2& re,
                                  const std::string& view_text, bool folded) {
  size_t pos = 0;
  re2::StringPiece match;
  while (pos <= view_text.size() && re.Match(view_text, pos, view_text.size(),
                                             re2::RE2::UNANCHORED, &match, 1)) {
    const uint32_t b = static_cast<uint32_t>(match.data() - view_text.data());
    const uint32_t e = b + static_cast<uint32_t>(match.size());
    pos = match.empty() ? e + 1 : e;
    const int64_t first = folded ? TokenAt<&Token::folded_begin>(tokens_, b)
                                 : TokenAt<&Token::canonical_begin>(tokens_, b);
    const int64_t last = folded ? TokenAt<&Token::folded_end>(tokens_, e)
                                : TokenAt<&Token::canonical_end>(tokens_, e);
    if (first < 0 || last < first) continue;
    if (folded) {
      bool eligible = true;
      for (int64_t k = first; k <= last; ++k) {
        eligible &= view_.FoldEligible(static_cast<size_t>(k));
      }
      if (!eligible) continue;
    }
    AddHit(term, first, last, folded ? uint32_t{kViaFolded} : 0u);
  }
}

void Matcher::Impl::Run::RegexTerms() {
  thread_local std::vector<int> potentials;
  impl_.regex_set.Potentials(
      text_.folded(), ScratchFor(impl_.regex_set, impl_.id), &potentials);
  for (int m : potentials) {
    const RegexTerm& r = impl_.regex_terms[m];
    RunRegex(r.term, *r.canonical, text_.canonical(), false);
  }
  for (int m : potentials) {
    const RegexTerm& r = impl_.regex_terms[m];
    if (r.folded != nullptr) RunRegex(r.term, *r.folded, text_.folded(), true);
  }
}

void Matcher::Impl::Run::JoinedLetters() {
  for (size_t i = 0; i < tokens_.size();) {
    if (!IsSingleLetter(tokens_[i])) {
      ++i;
      continue;
    }
    size_t last = i;
    std::string joined(text_.text(tokens_[i]));
    size_t k = i + 1;
    while (k < tokens_.size()) {
      const Token& prev = tokens_[k - 1];
      if (tokens_[k].kind == TokenKind::kPunct &&
          tokens_[k].begin == prev.end &&
          IsJoinSeparator(text_.text(tokens_[k])) && k + 1 < tokens_.size() &&
          tokens_[k + 1].begin == tokens_[k].end &&
          IsSingleLetter(tokens_[k + 1])) {
        k += 1;  // "đ.m": skip the separator
      } else if (!IsSingleLetter(tokens_[k]) ||
                 tokens_[k].begin != prev.end + 1) {
        break;  // only a single space may separate letters ("d m")
      }
      joined.append(text_.text(tokens_[k]));
      last = k;
      ++k;
    }
    if (last > i) {
      // The joined word is normalized as a word of its own, so teencode
      // applies ("đm" → "địt mẹ"); a hit spans the whole run of letters.
      const NormalizedText word = impl_.normalizer->Normalize(joined);
      const TokenView joined_view{&word, text_.unaccented()};
      std::vector<Found> joined_found;
      ViewIds joined_ids;
      LookUpIds(word, impl_.canonical_dict, impl_.folded_dict, &joined_ids);
      WalkTries(
          &impl_.canonical, &impl_.folded, joined_view, joined_ids,
          [this](int32_t v) -> const std::vector<std::string>& {
            return TermSyllables(v);
          },
          &joined_found);
      for (const Found& f : joined_found) {
        uint32_t via = kViaJoined | (f.folded ? uint32_t{kViaFolded} : 0u);
        for (const Token& t : word.tokens()) via |= t.steps;
        AddHit(impl_.TermOf(f.value), i, last, via);
      }
    }
    i = last + 1;
  }
}

void Matcher::Impl::Run::MaskedWords() {
  // Tokens on each side of a masked word that a phrase may reach.
  constexpr size_t kReach = 4;
  for (const MaskedWord& m : FindMaskedWords(text_)) {
    std::vector<const MaskCandidate*> fits;
    for (const MaskCandidate& c : impl_.mask_candidates) {
      if (FitsMask(c.folded, m.mask)) fits.push_back(&c);
    }
    if (fits.empty()) continue;
    // The window: up to kReach words before, the masked word, up to kReach
    // after; position `slot` is the masked word.
    std::vector<size_t> first, last;  // token range of each position
    for (size_t k = m.first - std::min(m.first, kReach); k < m.first; ++k) {
      first.push_back(k);
      last.push_back(k);
    }
    const size_t slot = first.size();
    first.push_back(m.first);
    last.push_back(m.last);
    for (size_t k = m.last + 1; k < tokens_.size() && k <= m.last + kReach;
         ++k) {
      first.push_back(k);
      last.push_back(k);
    }
    // Walks `trie` (the folded one when `folded`) from every position up to
    // the slot, branching at the slot over the syllables that fit, and
    // adds each phrase that spans the slot (alone: only when one fits).
    auto walk = [&](const Trie<int32_t>& trie, bool folded) {
      const std::vector<int32_t>& ids = folded ? ids_.folded : ids_.canonical;
      for (size_t s = 0; s <= slot; ++s) {
        std::vector<std::pair<int32_t, size_t>> frontier = {{0, s}};
        while (!frontier.empty()) {
          const auto [node, p] = frontier.back();
          frontier.pop_back();
          if (p >= first.size()) continue;
          std::vector<int32_t> next;
          if (p == slot) {
            for (const MaskCandidate* c : fits) {
              next.push_back(
                  trie.Step(node, folded ? c->folded_id : c->canonical_id));
            }
          } else {
            next.push_back(trie.Step(node, ids[first[p]]));
          }
          for (int32_t child : next) {
            if (child < 0) continue;
            frontier.push_back({child, p + 1});
            if (p < slot) continue;
            for (int32_t v : trie.ValuesAt(child)) {
              if (s == slot && p == slot && fits.size() > 1) continue;
              // Written words must carry the term's own diacritics, or
              // none (trie_walk.h).
              bool ok = true;
              if (folded) {
                const std::vector<std::string>& syllables = TermSyllables(v);
                for (size_t q = s; q <= p && ok; ++q) {
                  ok = q == slot ||
                       text_.text(tokens_[first[q]]) == syllables[q - s] ||
                       view_.FoldEligible(first[q]);
                }
              }
              if (ok) {
                AddHit(impl_.TermOf(v), first[s], last[p],
                       kViaMasked | (folded ? uint32_t{kViaFolded} : 0u));
              }
            }
          }
        }
      }
    };
    walk(impl_.canonical, false);
    walk(impl_.folded, true);
  }
}

void Matcher::Impl::Run::DropAllowedAndDuplicates() {
  if (!hits_.empty()) {
    std::erase_if(hits_, [&](const Hit& h) {
      return IsAllowed(h.term, h.first_token, h.last_token);
    });
  }
  // One hit per term and token range, in order of position.
  std::sort(hits_.begin(), hits_.end(), ByPosition);
  hits_.erase(std::unique(hits_.begin(), hits_.end(),
                          [](const Hit& a, const Hit& b) {
                            return a.term == b.term &&
                                   a.first_token == b.first_token &&
                                   a.last_token == b.last_token;
                          }),
              hits_.end());
}

void Matcher::Impl::Run::LearnedNgrams(LearnedSums* sums,
                                       const NormalizedText& view) {
  // Each distinct n-gram adds its weight to its category's sums; those of
  // at least min_learned_hit_weight become hits for the scorer to explain
  // with. An n-gram inside a mild curated hit (the intensifier "vãi lồn"
  // from "vl") is mild evidence: it counts in `all` but not in `not_mild`.
  sums->all.fill(0.0);
  sums->not_mild.fill(0.0);
  sums->words = text_.words();
  if (impl_.learned.node_count() <= 1) return;
  // Another view of the same tokens (the post as written): its own ids,
  // and its own steps in the hits' via.
  const bool other_view = &view != &text_;
  thread_local ViewIds view_ids;
  if (other_view) {
    LookUpIds(view, impl_.canonical_dict, impl_.folded_dict, &view_ids);
  }
  // Per token: covered by a curated hit, and whether the longest such hit
  // is mild (a longer moderate phrase around a mild one wins).
  thread_local std::vector<uint32_t> cover_len;
  thread_local std::vector<uint8_t> mild;
  cover_len.assign(tokens_.size(), 0);
  mild.assign(tokens_.size(), 0);
  for (const Hit& h : hits_) {
    const uint32_t len = h.last_token - h.first_token + 1;
    const bool is_mild = impl_.severity[h.term] == Severity::kMild;
    for (uint32_t k = h.first_token; k <= h.last_token; ++k) {
      if (len > cover_len[k] || (len == cover_len[k] && !is_mild)) {
        cover_len[k] = len;
        mild[k] = is_mild;
      }
    }
  }
  // Each term counts at its first occurrence that is not allowlisted, in
  // walk order. The terms counted go into a per-post set, which stays in
  // cache (a "seen" array over all the terms missed it on every probe).
  thread_local absl::flat_hash_set<int32_t> counted;
  counted.clear();
  const Trie<LearnedValue>& trie = impl_.learned;
  const int32_t* const canonical_ids =
      other_view ? view_ids.canonical.data() : ids_.canonical.data();
  double* const all = sums->all.data();
  double* const not_mild = sums->not_mild.data();
  const size_t curated_hits = hits_.size();
  for (size_t s = 0; s < tokens_.size(); ++s) {
    int32_t node = 0;
    bool any_mild = false;
    for (size_t t = s; t < tokens_.size() && canonical_ids[t] >= 0; ++t) {
      node = trie.Step(node, canonical_ids[t]);
      if (node < 0) break;
      any_mild = any_mild || mild[t];
      for (const LearnedValue& v : trie.ValuesAt(node)) {
        if (IsAllowed(v.term, s, t) || !counted.insert(v.term).second) {
          continue;
        }
        all[v.category] += v.weight;
        if (!any_mild) not_mild[v.category] += v.weight;
        if (v.weight >= impl_.min_learned_hit_weight) {
          AddHit(v.term, s, t, 0);
          Hit& h = hits_.back();
          h.severity = any_mild ? Severity::kMild : Severity::kModerate;
          if (other_view) {
            uint32_t via = 0;
            for (size_t k = s; k <= t; ++k) via |= view.tokens()[k].steps;
            h.via = via & kEvasionSteps;
          }
        }
      }
    }
  }
  std::inplace_merge(hits_.begin(), hits_.begin() + curated_hits, hits_.end(),
                     ByPosition);
}

std::vector<Hit> Matcher::Match(const NormalizedText& text,
                                LearnedSums* learned_sums,
                                const NormalizedText* learned_view) const {
  Impl::Run run(*impl_, text);
  run.SyllableTerms();
  run.RegexTerms();
  run.JoinedLetters();
  run.MaskedWords();
  run.DropAllowedAndDuplicates();
  if (learned_sums != nullptr) {
    const bool same_tokens =
        learned_view != nullptr &&
        learned_view->tokens().size() == text.tokens().size();
    run.LearnedNgrams(learned_sums, same_tokens ? *learned_view : text);
  }
  return run.TakeHits();
}

}  // namespace vigil::match
