#include "analyzers/match/masked_word.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"

namespace vigil::match {

namespace {

using normalize::Token;
using normalize::TokenKind;

bool IsStars(std::string_view s) {
  return !s.empty() && s.find_first_not_of('*') == std::string_view::npos;
}

}  // namespace

bool FitsMask(std::string_view folded, std::string_view mask) {
  if (folded.size() != mask.size()) return false;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (mask[i] != '?' && mask[i] != folded[i]) return false;
  }
  return true;
}

std::vector<MaskedWord> FindMaskedWords(const normalize::NormalizedText& text) {
  std::vector<MaskedWord> out;
  const std::vector<Token>& tokens = text.tokens();
  // A word of one part (not a piece of a teencode expansion), or stars.
  auto kind_of = [&](size_t k) {
    const Token& t = tokens[k];
    if (t.kind == TokenKind::kWord && t.parts == 1) return 1;  // letters
    if (t.kind == TokenKind::kPunct && IsStars(text.text(t))) return 2;
    return 0;
  };
  for (size_t i = 0; i < tokens.size();) {
    if (kind_of(i) == 0) {
      ++i;
      continue;
    }
    size_t last = i;
    while (last + 1 < tokens.size() && kind_of(last + 1) != 0 &&
           tokens[last + 1].begin == tokens[last].end) {
      ++last;
    }
    bool starred = false;
    for (size_t k = i; k <= last; ++k) starred |= kind_of(k) == 2;
    if (!starred || last == i) {  // the common case: plain words
      i = last + 1;
      continue;
    }
    std::string mask;
    size_t shown = 0, hidden = 0;
    bool ok = true;
    for (size_t k = i; k <= last && ok; ++k) {
      if (kind_of(k) == 2) {
        const size_t stars = text.text(tokens[k]).size();
        mask.append(stars, '?');
        hidden += stars;
      } else {
        // The folded view is the word's letters without diacritics.
        const std::string_view folded = text.folded_text(tokens[k]);
        ok = absl::c_all_of(folded, absl::ascii_isalpha);
        mask.append(folded);
        shown += folded.size();
      }
    }
    if (ok && shown > 0 && hidden > 0 && hidden <= shown + 1 &&
        mask.size() <= kMaxMaskLength) {
      out.push_back({i, last, std::move(mask)});
    }
    i = last + 1;
  }
  return out;
}

}  // namespace vigil::match
