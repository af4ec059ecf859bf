// Expanding a regex term that denotes a finite set of phrases.
//
// Most regex terms in the lexicons are alternations of fixed wordings,
// "(tao|tụi tao) (sẽ )?(giết|chém) (mày|nó)": a finite language. Matching
// them as regexes costs a multi-pattern regex engine per post; as phrases
// they join the syllable tries, which cost nothing extra per post. The
// matcher expands every regex term it can and keeps the rest as regexes.
//
// Approach: a recursive-descent parser over a tiny subset of RE2 syntax —
// literal characters (any UTF-8 except the metacharacters), groups "(...)"
// and "(?:...)", alternation '|' and an optional '?' after a literal or a
// group — builds the set of strings by concatenating the alternatives of
// consecutive atoms (a Cartesian product). Anything else (., classes,
// repetition, escapes, anchors, flags) makes the pattern "not finite here";
// so does a product larger than `limit`. The caller turns each string into
// syllables (collapsing the spaces optional groups leave) and checks it is
// canonical, as a lexicon term must be.
//
// Thread safety: a pure function.
#ifndef VIGIL_ANALYZERS_MATCH_FINITE_REGEX_H_
#define VIGIL_ANALYZERS_MATCH_FINITE_REGEX_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::match {

// How many phrases a regex term may expand to: the matcher puts a term with
// at most this many into its syllable tries; a larger or open one stays a
// regex (and is a frame, Term::frame).
inline constexpr size_t kMaxRegexPhrases = 20000;

// Every string `pattern` matches (in no particular order, possibly with
// repeats), or nullopt when the pattern uses syntax beyond the subset above
// or denotes more than `limit` strings.
std::optional<std::vector<std::string>> ExpandFiniteRegex(
    std::string_view pattern, size_t limit);

}  // namespace vigil::match

#endif  // VIGIL_ANALYZERS_MATCH_FINITE_REGEX_H_
