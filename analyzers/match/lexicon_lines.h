// The text-file plumbing the lexicon parsers share (internal to match/):
// reading a file, splitting it into numbered content lines, collecting
// problems as file:line, and the entry loop with its column check.
//
// Thread safety: none needed; each load owns its Problems.
#ifndef VIGIL_ANALYZERS_MATCH_LEXICON_LINES_H_
#define VIGIL_ANALYZERS_MATCH_LEXICON_LINES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "analyzers/util/strings.h"

namespace vigil::match {

struct LexiconProblem;

// Reads the whole file at `path` into `*contents`; false when it cannot be
// opened.
bool ReadFile(const std::string& path, std::string* contents);

// FNV-1a of `bytes`, continuing from `h`.
uint64_t Fnv1a(uint64_t h, std::string_view bytes);
inline constexpr uint64_t kFnv1aSeed = 0xcbf29ce484222325ull;

// A finite number that is the whole of `s`.
bool ParseDouble(std::string_view s, double* out);

// A content line: 1-based number and text, without a trailing '\r'.
struct Line {
  int number;
  std::string_view text;
};
// The lines of `contents`, comments ('#' first) and blank lines skipped.
std::vector<Line> ContentLines(std::string_view contents);

// Collects the problems of one load: each goes to the sink (if any), and
// the first one and the count make the status.
class Problems {
 public:
  explicit Problems(std::vector<LexiconProblem>* sink) : sink_(sink) {}
  void Add(std::string where, std::string message);
  bool any() const { return count_ > 0; }
  // OK, or INVALID_ARGUMENT naming the first problem and how many more.
  absl::Status ToStatus() const;

 private:
  std::vector<LexiconProblem>* sink_;
  int count_ = 0;
  std::string first_;
};

// Reports a problem at the first line of `name` (or the file) unless
// `header_ok`; false when the file has no lines at all.
bool CheckHeader(const std::vector<Line>& lines, const std::string& name,
                 bool header_ok, const std::string& expected,
                 Problems& problems);

// Remembers where each entry was first seen and reports repeats.
class FirstSeen {
 public:
  // False (and a problem) when `key` was seen before.
  bool Add(const std::string& key, const std::string& where,
           std::string_view what, Problems& problems);

 private:
  absl::flat_hash_map<std::string, std::string> where_;
};

// Calls `entry(where, line_number, columns)` for every line after the
// header whose TAB-separated column count is in [min_columns, max_columns];
// reports the others as "expected <format>".
template <typename Entry>
void ForEachEntry(const std::vector<Line>& lines, const std::string& name,
                  size_t min_columns, size_t max_columns,
                  std::string_view format, Problems& problems, Entry entry) {
  for (size_t k = 1; k < lines.size(); ++k) {
    const std::string where = StrCat(name, ":", lines[k].number);
    std::vector<std::string_view> cols = SplitChar(lines[k].text, '\t');
    if (cols.size() < min_columns || cols.size() > max_columns) {
      problems.Add(where, StrCat("expected ", format, ", got ", cols.size(),
                                 " columns"));
      continue;
    }
    entry(where, lines[k].number, cols);
  }
}

}  // namespace vigil::match

#endif  // VIGIL_ANALYZERS_MATCH_LEXICON_LINES_H_
