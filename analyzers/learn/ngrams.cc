#include "analyzers/learn/ngrams.h"

#include <algorithm>

namespace vigil::learn {

std::vector<std::string> SyllableNgrams(const normalize::NormalizedText& text,
                                        int max_n) {
  using normalize::TokenKind;
  const std::vector<normalize::Token>& tokens = text.tokens();
  std::vector<std::string> grams;
  for (size_t s = 0; s < tokens.size(); ++s) {
    std::string gram;
    for (size_t t = s; t < tokens.size() && static_cast<int>(t - s) < max_n;
         ++t) {
      if (tokens[t].kind != TokenKind::kWord &&
          tokens[t].kind != TokenKind::kNumber) {
        break;
      }
      if (t > s) gram += ' ';
      gram += text.text(tokens[t]);
      grams.push_back(gram);
    }
  }
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  return grams;
}

}  // namespace vigil::learn
