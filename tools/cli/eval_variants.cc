#include "tools/cli/eval_variants.h"

#include <unicode/utf8.h>

#include <cctype>
#include <vector>

#include "analyzers/normalize/vietnamese.h"

namespace vigil::cli {

uint64_t TextHash(std::string_view s, uint64_t h) {
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string Unaccent(std::string_view text) {
  std::string out;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  while (i < n) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    if (c >= 0x300 && c <= 0x36F) continue;  // combining marks (NFD input)
    char base = c < 0 ? 0 : normalize::FoldLetter(static_cast<char32_t>(c));
    bool upper = false;
    if (base == 0 && c > 0) {
      // Upper case: Latin-1 (À..Ý) lowers by 0x20, the others by one.
      const char32_t lower = (c >= 0xC0 && c <= 0xDD) ? c + 0x20 : c + 1;
      base = normalize::FoldLetter(lower);
      upper = base != 0;
    }
    if (base != 0) {
      out.push_back(upper ? static_cast<char>(base - 'a' + 'A') : base);
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  return out;
}

std::string Perturb(std::string_view text, Variant variant, uint64_t seed) {
  if (variant == Variant::kAsWritten) return std::string(text);
  if (variant == Variant::kUnaccented) return Unaccent(text);
  std::string out;
  size_t word = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      out.push_back(' ');
      ++i;
      continue;
    }
    size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    const std::string_view w = text.substr(i, j - i);
    // Split into code points.
    std::vector<std::string_view> letters;
    bool all_letters = true;
    for (int32_t k = 0, n = static_cast<int32_t>(w.size()); k < n;) {
      const int32_t start = k;
      UChar32 c;
      U8_NEXT(reinterpret_cast<const uint8_t*>(w.data()), k, n, c);
      // c < 0: an ill-formed byte (std::isalpha of it would be undefined).
      all_letters = all_letters && (c >= 0x80 || (c >= 0 && std::isalpha(c)));
      letters.push_back(w.substr(start, k - start));
    }
    const bool chosen = TextHash(std::to_string(word), seed) % 10 < 3;
    ++word;
    if (!chosen || !all_letters || letters.size() < 2) {
      out.append(w);
    } else if (variant == Variant::kStarred) {
      const size_t star = letters.size() / 2;
      for (size_t k = 0; k < letters.size(); ++k) {
        out.append(k == star ? std::string_view("*") : letters[k]);
      }
    } else {
      const char sep = variant == Variant::kDotted ? '.' : ' ';
      for (size_t k = 0; k < letters.size(); ++k) {
        if (k) out.push_back(sep);
        out.append(letters[k]);
      }
    }
    i = j;
  }
  return out;
}

}  // namespace vigil::cli
