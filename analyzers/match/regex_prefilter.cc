#include "analyzers/match/regex_prefilter.h"

#include <unicode/utf8.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "analyzers/normalize/vietnamese.h"

namespace vigil::match {

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

absl::Status RegexFilter::Compile(const std::vector<std::string>& patterns) {
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

void RegexFilter::Potentials(std::string_view text, hs_scratch_t* scratch,
                             std::vector<int>* out) const {
  out->clear();
  bool scanned = false;
  if (db != nullptr && scratch != nullptr) {
    const auto on_match = [](unsigned int id, unsigned long long,
                             unsigned long long, unsigned int, void* context) {
      static_cast<std::vector<int>*>(context)->push_back(static_cast<int>(id));
      return 0;
    };
    scanned = hs_scan(db, text.data(), static_cast<unsigned>(text.size()), 0,
                      scratch, on_match, out) == HS_SUCCESS;
  }
  if (!scanned) {
    out->clear();
    for (size_t i = 0; i < count; ++i) out->push_back(static_cast<int>(i));
    return;
  }
  out->insert(out->end(), always.begin(), always.end());
  std::sort(out->begin(), out->end());
}

}  // namespace vigil::match
