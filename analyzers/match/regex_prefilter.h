// The regex terms that stay regexes (those finite_regex.h cannot expand into
// the syllable tries) run only on posts where they may match: one Hyperscan
// database of their loosened, folded forms, compiled in prefilter mode,
// names in one pass over a post's folded view the terms that may match in
// either view (loosening and prefilter mode widen a pattern, never narrow
// it); RE2 then decides. This file makes those forms and the database.
//
// Example:
//   const std::string folded = FoldPattern("chết (đi|luôn)");  // "chet
//   (di|luon)" RegexFilter filter; absl::Status s =
//   filter.Compile({PrefilterPattern(folded)}); std::vector<int> ids;
//   filter.Potentials("chet di", scratch, &ids);  // {0}
//
// Thread safety: Compile() once; then Potentials() may be called from any
// number of threads, each with its own Hyperscan scratch.
#ifndef VIGIL_ANALYZERS_MATCH_REGEX_PREFILTER_H_
#define VIGIL_ANALYZERS_MATCH_REGEX_PREFILTER_H_

#include <hs/hs.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace vigil::match {

// `pattern` with every Vietnamese letter replaced by its ASCII base
// ("việc" → "viec"); regex syntax is ASCII and stays as it is.
std::string FoldPattern(std::string_view pattern);

// The prefilter form of a folded regex term: a pattern that matches wherever
// the term's canonical or folded pattern can match in the folded view, and
// is cheaper for Hyperscan to compile (regex_prefilter.cc lists the
// loosenings).
std::string PrefilterPattern(std::string_view folded);

// A set of prefilter patterns in one Hyperscan database.
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
                  std::vector<int>* out) const;
};

}  // namespace vigil::match

#endif  // VIGIL_ANALYZERS_MATCH_REGEX_PREFILTER_H_
