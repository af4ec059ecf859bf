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
// Allowlisted phrases are found the same way; a hit whose token range lies
// inside an allowlisted occurrence, for its category, is dropped.
#include "analyzers/match/matcher.h"

#include <hs/hs.h>
#include <re2/re2.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <optional>
#include <set>
#include <span>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "analyzers/match/finite_regex.h"
#include "analyzers/normalize/vietnamese.h"
#include "analyzers/util/strings.h"

namespace vigil::match {

using normalize::NormalizedText;
using normalize::Token;
using normalize::TokenKind;

std::vector<std::string_view> ViaNames(uint32_t steps) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {normalize::kStepFormatRemoved, "format_removed"},
      {normalize::kStepConfusable, "confusable"},
      {normalize::kStepEth, "eth"},
      {normalize::kStepRepeatCollapsed, "repeated_letters"},
      {normalize::kStepLeetspeak, "leetspeak"},
      {normalize::kStepTeencode, "teencode"},
      {kViaFolded, "folded"},
      {kViaJoined, "joined_separators"},
  };
  std::vector<std::string_view> names;
  for (const auto& [bit, name] : kNames) {
    if (steps & bit) names.push_back(name);
  }
  return names;
}

namespace {

// A trie over syllable strings. Node 0 is the root.
// Syllable text → id, shared by the tries of one view, so that a post's
// tokens are looked up once per view however many tries there are.
struct SyllableDict {
  absl::flat_hash_map<std::string, int32_t> ids;
  int32_t Intern(const std::string& syllable) {
    return ids.emplace(syllable, static_cast<int32_t>(ids.size()))
        .first->second;
  }
  // The id of `syllable`, or -1 when no phrase contains it.
  int32_t IdOf(std::string_view syllable) const {
    auto it = ids.find(absl::string_view(syllable.data(), syllable.size()));
    return it == ids.end() ? -1 : it->second;
  }
};

// A trie over syllable ids, holding values of type V at its nodes. Built
// with a hash map keyed by (node, syllable id); Finalize() then packs it
// for walking: per node one {first child, first value} pair, each node's
// children contiguous and sorted by syllable id as {id, node} pairs, and
// the values in one array. A step past the root is then one or two cache
// lines instead of a hash probe plus separate arrays: the walk is bound by
// cache misses (most steps fail, and fail fast here). Node 0 is the root,
// whose children are an array indexed by syllable id.
template <typename V>
struct Trie {
  struct Node {
    int32_t first_child;
    int32_t first_value;
  };
  struct Edge {
    int32_t syllable;
    int32_t node;
  };
  absl::flat_hash_map<uint64_t, int32_t> edges;  // while building
  std::vector<std::vector<V>> building{{}};      // per node, while building
  std::vector<int32_t> root_children;            // by syllable id; -1: none
  // After Finalize(): node n's children are children[nodes[n].first_child
  // .. nodes[n + 1].first_child), its values values[nodes[n].first_value
  // .. nodes[n + 1].first_value).
  std::vector<Node> nodes;
  std::vector<Edge> children;
  std::vector<V> values;

  void Finalize() {
    const size_t count = building.size();
    std::vector<std::tuple<int32_t, int32_t, int32_t>>
        all;  // parent, id, child
    all.reserve(edges.size());
    for (const auto& [key, child] : edges) {
      all.emplace_back(static_cast<int32_t>(key >> 32),
                       static_cast<int32_t>(key & 0xffffffffu), child);
    }
    std::sort(all.begin(), all.end());
    nodes.assign(count + 1, Node{0, 0});
    children.clear();
    values.clear();
    size_t e = 0;
    for (size_t n = 0; n < count; ++n) {
      nodes[n] = {static_cast<int32_t>(children.size()),
                  static_cast<int32_t>(values.size())};
      for (; e < all.size() && std::get<0>(all[e]) == static_cast<int32_t>(n);
           ++e) {
        children.push_back({std::get<1>(all[e]), std::get<2>(all[e])});
      }
      values.insert(values.end(), building[n].begin(), building[n].end());
    }
    nodes[count] = {static_cast<int32_t>(children.size()),
                    static_cast<int32_t>(values.size())};
    building = {};
    edges = {};
  }
  size_t node_count() const { return nodes.empty() ? 0 : nodes.size() - 1; }
  std::span<const V> ValuesAt(int32_t node) const {
    return {values.data() + nodes[node].first_value,
            static_cast<size_t>(nodes[node + 1].first_value -
                                nodes[node].first_value)};
  }

  static uint64_t Key(int32_t node, int32_t syllable) {
    return (static_cast<uint64_t>(node) << 32) |
           static_cast<uint32_t>(syllable);
  }
  // Before Finalize() only.
  void Add(SyllableDict& dict, const std::vector<std::string>& syllables,
           V value) {
    int32_t node = 0;
    for (const std::string& s : syllables) {
      const int32_t id = dict.Intern(s);
      if (root_children.size() <= static_cast<size_t>(id)) {
        root_children.resize(id + 1, -1);
      }
      auto [it, inserted] =
          edges.emplace(Key(node, id), static_cast<int32_t>(building.size()));
      if (inserted) building.emplace_back();
      if (node == 0) root_children[id] = it->second;
      node = it->second;
    }
    building[node].push_back(value);
  }
  // The child of `node` along syllable `id`, or -1. After Finalize() only.
  int32_t Step(int32_t node, int32_t id) const {
    if (id < 0) return -1;
    if (node == 0) {  // the busiest node: an array
      return static_cast<size_t>(id) < root_children.size() ? root_children[id]
                                                            : -1;
    }
    const Edge* const begin = children.data() + nodes[node].first_child;
    const Edge* const end = children.data() + nodes[node + 1].first_child;
    const Edge* const it = std::lower_bound(
        begin, end, id,
        [](const Edge& e, int32_t x) { return e.syllable < x; });
    return it != end && it->syllable == id ? it->node : -1;
  }
};

// A learned n-gram as the learned trie holds it: what the walk needs, in
// one place (one cache line instead of three arrays indexed by term).
struct LearnedValue {
  int32_t term;
  int32_t category;
  double weight;
};

}  // namespace

struct Matcher::Impl {
  const Lexicon* lexicon;
  const normalize::Normalizer* normalizer;
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
  bool ExpandIntoTries(const Term& term, int32_t index,
                       const normalize::Normalizer& normalizer);
  const std::vector<std::string>& SyllablesOf(const Lexicon& lex,
                                              int32_t value) const {
    return value >= kExpandedBase ? expanded[value - kExpandedBase].syllables
                                  : lex.terms()[value].syllables;
  }
  Trie<int32_t> allow_canonical;  // allowlist phrases
  Trie<int32_t> allow_folded;
  // The regex terms left after expansion, prefiltered by one Hyperscan
  // database of their PrefilterPattern forms (see the top of this file).
  struct RegexFilter {
    hs_database_t* db = nullptr;
    std::vector<int> always;  // ids Hyperscan refused: they always run
    size_t count = 0;         // patterns in the set
    RegexFilter() = default;
    RegexFilter(const RegexFilter&) = delete;
    RegexFilter& operator=(const RegexFilter&) = delete;
    ~RegexFilter() {
      if (db != nullptr) hs_free_database(db);
    }
    // Compiles `patterns` (ids are their indexes). An empty pattern, or one
    // Hyperscan refuses, joins `always`; only an error that names no
    // pattern fails.
    absl::Status Compile(const std::vector<std::string>& patterns);
    // The ids of the patterns that may match `text`, ascending. Without
    // `scratch` (it could not be allocated) every pattern may: slower,
    // never wrong, since RE2 decides.
    void Potentials(std::string_view text, hs_scratch_t* scratch,
                    std::vector<int>* out) const {
      out->clear();
      bool scanned = false;
      if (db != nullptr && scratch != nullptr) {
        const auto on_match = [](unsigned int id, unsigned long long,
                                 unsigned long long, unsigned int,
                                 void* context) {
          static_cast<std::vector<int>*>(context)->push_back(
              static_cast<int>(id));
          return 0;
        };
        scanned = hs_scan(db, text.data(), static_cast<unsigned>(text.size()),
                          0, scratch, on_match, out) == HS_SUCCESS;
      }
      if (!scanned) {
        out->clear();
        for (size_t i = 0; i < count; ++i) out->push_back(static_cast<int>(i));
        return;
      }
      out->insert(out->end(), always.begin(), always.end());
      std::sort(out->begin(), out->end());
    }
  };
  uint64_t id = 0;        // tells matchers apart for the per-thread scratch
  RegexFilter regex_set;  // filter id → the regex terms below
  struct RegexTerm {
    int32_t term;
    std::unique_ptr<re2::RE2> canonical;  // on the canonical view
    std::unique_ptr<re2::RE2> folded;     // fold-allowed terms: folded view
  };
  std::vector<RegexTerm> regex_terms;
};

namespace {

// Bits of Token::steps that say how a hit was made possible.
constexpr uint32_t kEvasionSteps =
    normalize::kStepFormatRemoved | normalize::kStepConfusable |
    normalize::kStepEth | normalize::kStepRepeatCollapsed |
    normalize::kStepLeetspeak | normalize::kStepTeencode;

// A view of tokens to walk the tries over: the post's own tokens, or the
// tokens of a joined run of letters.
// True when the UTF-8 syllable `s` carries a tone mark (huyền, sắc, hỏi,
// ngã, nặng).
bool HasToneMark(std::string_view s) {
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
    if (c >= 0x80 && normalize::SplitTone(static_cast<char32_t>(c)).tone !=
                         normalize::Tone::kNone) {
      return true;
    }
  }
  return false;
}

struct TokenView {
  const NormalizedText* text;
  bool unaccented_post;
  // May token `i` match a syllable that differs from it in diacritics? Yes
  // in a post written without diacritics, and for a word written without
  // them or without a tone mark ("dit", "đit" for "địt"); no for a word
  // whose own tone mark makes it another word ("đít", "bottom").
  bool FoldEligible(size_t i) const {
    const Token& t = text->tokens()[i];
    return unaccented_post || !t.accented || !HasToneMark(text->text(t));
  }
};

struct Found {
  int32_t value;
  size_t first, last;  // token range in the view
  bool folded;
};

// Walks `canonical` (and `folded` when given) from every word token of the
// view; calls `syllables(value)` to get a value's canonical syllables for the
// diacritics check of the folded walk.
// Syllable ids of the tokens of a view in both dictionaries (-1 for tokens
// that are in no phrase, and for tokens that are not words or numbers:
// terms are words and numbers, "3 que"; anything else ends a phrase).
struct ViewIds {
  std::vector<int32_t> canonical, folded;
};
void LookUpIds(const NormalizedText& text, const SyllableDict& canonical,
               const SyllableDict& folded, ViewIds* ids) {
  const std::vector<Token>& tokens = text.tokens();
  ids->canonical.assign(tokens.size(), -1);
  ids->folded.assign(tokens.size(), -1);
  for (size_t t = 0; t < tokens.size(); ++t) {
    if (tokens[t].kind != TokenKind::kWord &&
        tokens[t].kind != TokenKind::kNumber) {
      continue;
    }
    ids->canonical[t] = canonical.IdOf(text.text(tokens[t]));
    ids->folded[t] = folded.IdOf(text.folded_text(tokens[t]));
  }
}

template <typename SyllablesOf>
void WalkTries(const Trie<int32_t>* canonical_trie,
               const Trie<int32_t>* folded_trie, const TokenView& view,
               const ViewIds& ids, SyllablesOf syllables_of,
               std::vector<Found>* found) {
  const std::vector<Token>& tokens = view.text->tokens();
  const std::vector<int32_t>& canonical_ids = ids.canonical;
  const std::vector<int32_t>& folded_ids = ids.folded;
  for (size_t s = 0; s < tokens.size(); ++s) {
    int32_t node = 0;
    for (size_t t = s; t < tokens.size() && canonical_ids[t] >= 0; ++t) {
      node = canonical_trie->Step(node, canonical_ids[t]);
      if (node < 0) break;
      for (int32_t v : canonical_trie->ValuesAt(node)) {
        found->push_back({v, s, t, false});
      }
    }
    if (folded_trie == nullptr) continue;
    node = 0;
    for (size_t t = s; t < tokens.size() && folded_ids[t] >= 0; ++t) {
      node = folded_trie->Step(node, folded_ids[t]);
      if (node < 0) break;
      for (int32_t v : folded_trie->ValuesAt(node)) {
        // Tokens written with diacritics must carry the term's own.
        const std::vector<std::string>& syllables = syllables_of(v);
        bool ok = true;
        bool differs = false;
        for (size_t k = s; k <= t; ++k) {
          const bool same = view.text->text(tokens[k]) == syllables[k - s];
          differs |= !same;
          if (!same && !view.FoldEligible(k)) ok = false;
        }
        if (ok && differs) found->push_back({v, s, t, true});
      }
    }
  }
}

// Index of the token whose `member` offset equals `offset`, or -1.
template <uint32_t Token::*member>
int64_t TokenAt(const std::vector<Token>& tokens, uint32_t offset) {
  auto it = std::lower_bound(
      tokens.begin(), tokens.end(), offset,
      [](const Token& t, uint32_t off) { return t.*member < off; });
  if (it == tokens.end() || (*it).*member != offset) return -1;
  return it - tokens.begin();
}

// `pattern` with every Vietnamese letter replaced by its ASCII base
// ("việc" → "viec"); regex syntax is ASCII and stays as it is.
std::string FoldPattern(std::string_view pattern) {
  std::string out;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(pattern.size());
  while (i < n) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(pattern.data()), i, n, c);
    const char base =
        c >= 0x80 ? normalize::FoldLetter(static_cast<char32_t>(c)) : 0;
    if (base != 0) {
      out.push_back(base);
    } else {
      out.append(pattern.substr(start, i - start));
    }
  }
  return out;
}

// The prefilter form of a folded regex term: a pattern that matches
// wherever the term's canonical or folded pattern can match in the folded
// view, and is cheaper for Hyperscan to compile. Counted repeats ("{0,8}")
// and '+' become '*' (counting is what makes Hyperscan's automata large),
// and a lone '.' or "[^ ]"-like class becomes optional (the folded view
// drops a combining mark the canonical one keeps). What may match a
// canonical character but not its folded form becomes "any one character
// or none": a non-ASCII character left after folding (an emoji, a letter
// FoldLetter does not fold), a class holding one, a negated class that
// names letters ("[^a-z]" matches "ế", not its folded "e"), and the escapes
// \W, \p, \P and \x; the word boundaries \b and \B are dropped ("c\bú"
// has one, folded "cu" not).
std::string PrefilterPattern(std::string_view folded) {
  constexpr std::string_view kAnyOrNone = "(?:.?)";
  const auto non_ascii = [](char b) {
    return static_cast<unsigned char>(b) >= 0x80;
  };
  std::string out;
  const size_t n = folded.size();
  auto quantified = [&](size_t i) {
    return i < n && (folded[i] == '*' || folded[i] == '+' || folded[i] == '?' ||
                     folded[i] == '{');
  };
  for (size_t i = 0; i < n;) {
    const char c = folded[i];
    if (non_ascii(c)) {
      out.append(kAnyOrNone);
      ++i;
      while (i < n && (static_cast<unsigned char>(folded[i]) & 0xC0) == 0x80) {
        ++i;  // the character's continuation bytes
      }
    } else if (c == '\\' && i + 1 < n) {
      const char e = folded[i + 1];
      i += 2;
      if (e == 'b' || e == 'B') continue;
      if (e == 'W' || e == 'p' || e == 'P' || e == 'x') {
        out.append(kAnyOrNone);
        if (e == 'W') continue;
        // The argument: "{...}", else two hex digits (\x) or one letter.
        if (i < n && folded[i] == '{') {
          while (i < n && folded[i] != '}') ++i;
          i = std::min(i + 1, n);
        } else {
          i = std::min(i + (e == 'x' ? 2 : 1), n);
        }
        continue;
      }
      out.push_back('\\');
      out.push_back(e);
    } else if (c == '[') {
      size_t j = i + 1;
      const bool negated = j < n && folded[j] == '^';
      if (negated) ++j;
      if (j < n && folded[j] == ']') ++j;
      while (j < n && folded[j] != ']') j += folded[j] == '\\' ? 2 : 1;
      j = std::min(j + 1, n);
      const std::string_view cls = folded.substr(i, j - i);
      i = j;
      const bool folds =
          std::any_of(cls.begin(), cls.end(), non_ascii) ||
          cls.find("\\W") != cls.npos || cls.find("\\p") != cls.npos ||
          cls.find("\\P") != cls.npos || cls.find("\\x") != cls.npos ||
          (negated && std::any_of(cls.begin(), cls.end(), [](char b) {
             return absl::ascii_isalpha(b) || b == '-' || b == '\\';
           }));
      if (folds) {
        out.append(kAnyOrNone);
      } else {
        out.append(cls);
        if (negated && !quantified(i)) out.push_back('?');
      }
    } else if (c == '.') {
      out.push_back('.');
      ++i;
      if (!quantified(i)) out.push_back('?');
    } else if (c == '+') {
      out.push_back('*');
      ++i;
    } else if (c == '{') {
      // A counted repeat is "{digits}", "{digits,}" or "{digits,digits}";
      // any other '{' is a literal.
      size_t j = i + 1;
      while (j < n && absl::ascii_isdigit(folded[j])) ++j;
      bool repeat = j > i + 1 && j < n;
      if (repeat && folded[j] == ',') {
        ++j;
        while (j < n && absl::ascii_isdigit(folded[j])) ++j;
      }
      repeat = repeat && j < n && folded[j] == '}';
      if (repeat) {
        out.push_back('*');
        i = j + 1;
      } else {
        out.push_back('{');
        ++i;
      }
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
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

}  // namespace

// Puts the phrases of a regex term that denotes a finite set of canonical
// syllable phrases into the syllable tries, as phrase terms are; false
// (nothing added) when it does not, and the term stays a regex.
bool Matcher::Impl::ExpandIntoTries(const Term& term, int32_t index,
                                    const normalize::Normalizer& normalizer) {
  constexpr size_t kMaxPhrases = 20000;
  std::optional<std::vector<std::string>> strings =
      ExpandFiniteRegex(term.text, kMaxPhrases);
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

absl::Status Matcher::Impl::RegexFilter::Compile(
    const std::vector<std::string>& patterns) {
  count = patterns.size();
  // RE2 semantics in a superset: UTF-8 code points for '.' and classes,
  // '.' across newlines too, each pattern reported once per scan.
  constexpr unsigned kFlags = HS_FLAG_PREFILTER | HS_FLAG_UTF8 |
                              HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH |
                              HS_FLAG_ALLOWEMPTY;
  std::vector<unsigned> ids;
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (patterns[i].empty()) {
      always.push_back(static_cast<int>(i));
    } else {
      ids.push_back(static_cast<unsigned>(i));
    }
  }
  while (!ids.empty()) {
    std::vector<const char*> expressions;
    for (unsigned id : ids) expressions.push_back(patterns[id].c_str());
    const std::vector<unsigned> flags(ids.size(), kFlags);
    hs_compile_error_t* error = nullptr;
    if (hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                         static_cast<unsigned>(ids.size()), HS_MODE_BLOCK,
                         nullptr, &db, &error) == HS_SUCCESS) {
      break;
    }
    const int refused = error != nullptr ? error->expression : -1;
    const std::string message =
        error != nullptr ? error->message : "unknown error";
    hs_free_compile_error(error);
    db = nullptr;
    if (refused < 0 || refused >= static_cast<int>(ids.size())) {
      return absl::ResourceExhaustedError("regex terms: " + message);
    }
    always.push_back(static_cast<int>(ids[refused]));
    ids.erase(ids.begin() + refused);
  }
  std::sort(always.begin(), always.end());
  return absl::OkStatus();
}

Matcher::Matcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Matcher::~Matcher() = default;

absl::StatusOr<std::unique_ptr<const Matcher>> Matcher::Create(
    const Lexicon& lexicon, const normalize::Normalizer& normalizer,
    bool prefilter) {
  auto impl = std::make_unique<Impl>();
  static std::atomic<uint64_t> next_id{1};
  impl->id = next_id.fetch_add(1, std::memory_order_relaxed);
  impl->lexicon = &lexicon;
  impl->normalizer = &normalizer;
  re2::RE2::Options options;
  options.set_log_errors(false);
  std::vector<std::string> prefilter_patterns;
  for (size_t i = 0; i < lexicon.terms().size(); ++i) {
    const Term& term = lexicon.terms()[i];
    const int32_t index = static_cast<int32_t>(i);
    impl->category.push_back(static_cast<uint8_t>(term.category));
    impl->severity.push_back(term.severity);
    if (term.learned) {
      impl->learned.Add(
          impl->canonical_dict, term.syllables,
          {index, static_cast<int32_t>(term.category), term.weight});
      continue;
    }
    if (!term.is_regex) {
      impl->canonical.Add(impl->canonical_dict, term.syllables, index);
      if (term.fold) impl->folded.Add(impl->folded_dict, term.folded, index);
      continue;
    }
    if (impl->ExpandIntoTries(term, index, normalizer)) continue;
    Impl::RegexTerm& r = impl->regex_terms.emplace_back();
    r.term = index;
    r.canonical = std::make_unique<re2::RE2>(term.text, options);
    if (!r.canonical->ok()) {
      return absl::InvalidArgumentError(
          term.where + ": invalid regex: " + r.canonical->error());
    }
    // The folded view has no diacritics, so neither may the pattern.
    const std::string folded = FoldPattern(term.text);
    if (term.fold) {
      r.folded = std::make_unique<re2::RE2>(folded, options);
      if (!r.folded->ok()) {
        return absl::InvalidArgumentError(
            term.where + ": folded regex: " + r.folded->error());
      }
    }
    prefilter_patterns.push_back(PrefilterPattern(folded));
  }
  if (!prefilter) prefilter_patterns.assign(prefilter_patterns.size(), "");
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
  return std::unique_ptr<const Matcher>(new Matcher(std::move(impl)));
}

std::vector<Hit> Matcher::Match(const NormalizedText& text,
                                LearnedSums* learned_sums) const {
  const Lexicon& lex = *impl_->lexicon;
  const std::vector<Token>& tokens = text.tokens();
  const TokenView view{&text, text.unaccented()};
  auto term_syllables = [&](int32_t v) -> const std::vector<std::string>& {
    return impl_->SyllablesOf(lex, v);
  };
  auto allow_syllables = [&lex](int32_t v) -> const std::vector<std::string>& {
    return lex.allowlist()[v].syllables;
  };

  std::vector<Hit> hits;
  auto add_hit = [&](int32_t term, size_t first, size_t last, uint32_t via) {
    Hit h;
    h.term = term;
    h.first_token = static_cast<uint32_t>(first);
    h.last_token = static_cast<uint32_t>(last);
    h.begin = tokens[first].begin;
    h.end = tokens[last].end;
    h.begin_char = tokens[first].begin_char;
    h.end_char = tokens[last].end_char;
    for (size_t k = first; k <= last; ++k) via |= tokens[k].steps;
    h.via = via & (kEvasionSteps | kViaFolded | kViaJoined);
    h.severity = impl_->severity[term];
    hits.push_back(h);
  };

  // Allowlisted occurrences silence curated hits and learned n-grams
  // inside them.
  thread_local ViewIds ids;
  LookUpIds(text, impl_->canonical_dict, impl_->folded_dict, &ids);

  // Found on first use: most posts without hits never need them.
  // (Per-thread buffers, here and below: the analyze path allocates
  // little per post.)
  thread_local std::vector<Found> allowed;
  allowed.clear();
  bool allowed_found = lex.allowlist().empty();
  auto is_allowed = [&](int32_t term, size_t first, size_t last) {
    if (!allowed_found) {
      WalkTries(&impl_->allow_canonical, &impl_->allow_folded, view, ids,
                allow_syllables, &allowed);
      allowed_found = true;
    }
    const uint32_t bit = 1u << impl_->category[term];
    for (const Found& a : allowed) {
      if (a.first <= first && last <= a.last &&
          (lex.allowlist()[a.value].categories & bit)) {
        return true;
      }
    }
    return false;
  };

  // Syllable terms.
  thread_local std::vector<Found> found;
  found.clear();
  WalkTries(&impl_->canonical, &impl_->folded, view, ids, term_syllables,
            &found);
  for (const Found& f : found) {
    add_hit(impl_->TermOf(f.value), f.first, f.last,
            f.folded ? uint32_t{kViaFolded} : 0u);
  }

  // Regex terms, on whole tokens of each view.
  // A thread's Hyperscan scratch, grown to fit this matcher's databases
  // when the thread first scans with it (hs_alloc_scratch keeps it fit for
  // the databases it fitted before).
  struct Scratch {
    hs_scratch_t* scratch = nullptr;
    uint64_t fits = 0;
    ~Scratch() {
      if (scratch != nullptr) hs_free_scratch(scratch);
    }
  };
  thread_local Scratch hs;
  if (hs.fits != impl_->id) {
    const hs_database_t* db = impl_->regex_set.db;
    hs.fits = db == nullptr || hs_alloc_scratch(db, &hs.scratch) == HS_SUCCESS
                  ? impl_->id
                  : 0;
  }
  hs_scratch_t* const scratch = hs.fits == impl_->id ? hs.scratch : nullptr;
  auto run_regex = [&](int32_t term, const re2::RE2& re,
                       const std::string& view_text, bool folded) {
    size_t pos = 0;
    re2::StringPiece match;
    while (pos <= view_text.size() &&
           re.Match(view_text, pos, view_text.size(), re2::RE2::UNANCHORED,
                    &match, 1)) {
      const uint32_t b = static_cast<uint32_t>(match.data() - view_text.data());
      const uint32_t e = b + static_cast<uint32_t>(match.size());
      pos = match.empty() ? e + 1 : e;
      const int64_t first = folded
                                ? TokenAt<&Token::folded_begin>(tokens, b)
                                : TokenAt<&Token::canonical_begin>(tokens, b);
      const int64_t last = folded ? TokenAt<&Token::folded_end>(tokens, e)
                                  : TokenAt<&Token::canonical_end>(tokens, e);
      if (first < 0 || last < first) continue;
      if (folded) {
        bool eligible = true;
        for (int64_t k = first; k <= last; ++k) {
          eligible &= view.FoldEligible(static_cast<size_t>(k));
        }
        if (!eligible) continue;
      }
      add_hit(term, first, last, folded ? uint32_t{kViaFolded} : 0u);
    }
  };
  thread_local std::vector<int> potentials;
  impl_->regex_set.Potentials(text.folded(), scratch, &potentials);
  for (int m : potentials) {
    const Impl::RegexTerm& r = impl_->regex_terms[m];
    run_regex(r.term, *r.canonical, text.canonical(), false);
  }
  for (int m : potentials) {
    const Impl::RegexTerm& r = impl_->regex_terms[m];
    if (r.folded != nullptr) run_regex(r.term, *r.folded, text.folded(), true);
  }

  // Letters split by separators: join each run and match the result.
  for (size_t i = 0; i < tokens.size();) {
    if (!IsSingleLetter(tokens[i])) {
      ++i;
      continue;
    }
    size_t last = i;
    std::string joined(text.text(tokens[i]));
    size_t k = i + 1;
    while (k < tokens.size()) {
      const Token& prev = tokens[k - 1];
      if (tokens[k].kind == TokenKind::kPunct && tokens[k].begin == prev.end &&
          IsJoinSeparator(text.text(tokens[k])) && k + 1 < tokens.size() &&
          tokens[k + 1].begin == tokens[k].end &&
          IsSingleLetter(tokens[k + 1])) {
        k += 1;  // "đ.m": skip the separator
      } else if (!IsSingleLetter(tokens[k]) ||
                 tokens[k].begin != prev.end + 1) {
        break;  // only a single space may separate letters ("d m")
      }
      joined.append(text.text(tokens[k]));
      last = k;
      ++k;
    }
    if (last > i) {
      const NormalizedText word = impl_->normalizer->Normalize(joined);
      const TokenView joined_view{&word, text.unaccented()};
      std::vector<Found> joined_found;
      ViewIds joined_ids;
      LookUpIds(word, impl_->canonical_dict, impl_->folded_dict, &joined_ids);
      WalkTries(&impl_->canonical, &impl_->folded, joined_view, joined_ids,
                term_syllables, &joined_found);
      for (const Found& f : joined_found) {
        uint32_t via = kViaJoined | (f.folded ? uint32_t{kViaFolded} : 0u);
        for (const Token& t : word.tokens()) via |= t.steps;
        add_hit(impl_->TermOf(f.value), i, last, via);
      }
    }
    i = last + 1;
  }

  // Allowlisted occurrences suppress the curated hits inside them.
  if (!hits.empty()) {
    std::erase_if(hits, [&](const Hit& h) {
      return is_allowed(h.term, h.first_token, h.last_token);
    });
  }

  // One hit per term and token range, in order of position.
  const auto by_position = [](const Hit& a, const Hit& b) {
    return std::tie(a.first_token, a.last_token, a.term, a.via) <
           std::tie(b.first_token, b.last_token, b.term, b.via);
  };
  std::sort(hits.begin(), hits.end(), by_position);
  hits.erase(std::unique(hits.begin(), hits.end(),
                         [](const Hit& a, const Hit& b) {
                           return a.term == b.term &&
                                  a.first_token == b.first_token &&
                                  a.last_token == b.last_token;
                         }),
             hits.end());

  // Learned n-grams: each distinct one adds its weight to its category's
  // sums; those strong enough to explain a flag become hits. An n-gram
  // inside a mild curated hit (the intensifier "vãi lồn" from "vl") is mild
  // evidence: it counts in `all` but not in `not_mild`.
  if (learned_sums != nullptr) {
    learned_sums->all.fill(0.0);
    learned_sums->not_mild.fill(0.0);
    learned_sums->words = text.words();
    if (impl_->learned.node_count() > 1) {
      // Per token: covered by a curated hit, and whether the longest such
      // hit is mild (a longer moderate phrase around a mild one wins).
      thread_local std::vector<uint32_t> cover_len;
      thread_local std::vector<uint8_t> mild;
      cover_len.assign(tokens.size(), 0);
      mild.assign(tokens.size(), 0);
      for (const Hit& h : hits) {
        const uint32_t len = h.last_token - h.first_token + 1;
        const bool is_mild = impl_->severity[h.term] == Severity::kMild;
        for (uint32_t k = h.first_token; k <= h.last_token; ++k) {
          if (len > cover_len[k] || (len == cover_len[k] && !is_mild)) {
            cover_len[k] = len;
            mild[k] = is_mild;
          }
        }
      }
      // Each term counts at its first occurrence that is not allowlisted,
      // in walk order. The terms counted go into a per-post set, which
      // stays in cache (a "seen" array over all the terms missed it on
      // every probe).
      thread_local absl::flat_hash_set<int32_t> counted;
      counted.clear();
      const Trie<LearnedValue>& trie = impl_->learned;
      const int32_t* const canonical_ids = ids.canonical.data();
      double* const all = learned_sums->all.data();
      double* const not_mild = learned_sums->not_mild.data();
      const size_t curated_hits = hits.size();
      for (size_t s = 0; s < tokens.size(); ++s) {
        int32_t node = 0;
        bool any_mild = false;
        for (size_t t = s; t < tokens.size() && canonical_ids[t] >= 0; ++t) {
          node = trie.Step(node, canonical_ids[t]);
          if (node < 0) break;
          any_mild = any_mild || mild[t];
          for (const LearnedValue& v : trie.ValuesAt(node)) {
            if (is_allowed(v.term, s, t) || !counted.insert(v.term).second) {
              continue;
            }
            all[v.category] += v.weight;
            if (!any_mild) not_mild[v.category] += v.weight;
            if (v.weight >= kMinExplainedLearnedWeight) {
              add_hit(v.term, s, t, 0);
              hits.back().severity =
                  any_mild ? Severity::kMild : Severity::kModerate;
            }
          }
        }
      }
      std::inplace_merge(hits.begin(), hits.begin() + curated_hits, hits.end(),
                         by_position);
    }
  }
  return hits;
}

}  // namespace vigil::match
