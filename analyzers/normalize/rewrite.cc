// RewriteWords (normalizer.h): a normalized post with some words read anew.
// The canonical and folded views are rebuilt token by token; a rewritten
// token's text comes from the rewrite (split into one token per syllable,
// all on the original token's span) and its folded text is that text with
// every Vietnamese letter folded (FoldLetter), so the views stay aligned.
#include <unicode/utf8.h>

#include <utility>

#include "analyzers/normalize/normalizer.h"
#include "analyzers/normalize/vietnamese.h"

namespace vigil::normalize {
namespace {

void AppendFolded(std::string_view s, std::string& out) {
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    const char f = c < 0 ? 0 : FoldLetter(static_cast<char32_t>(c));
    if (f != 0) {
      out.push_back(f);
    } else {
      out.append(s.substr(start, i - start));
    }
  }
}

}  // namespace

void RewriteWords(const std::vector<WordRewrite>& rewrites,
                  NormalizedText* text) {
  if (rewrites.empty()) return;
  std::vector<Token> tokens;
  std::string canonical, folded;
  tokens.reserve(text->tokens_.size() + rewrites.size());
  canonical.reserve(text->canonical_.size() + 16);
  folded.reserve(text->folded_.size() + 16);
  auto start = [&](Token& t) {
    if (!tokens.empty()) {
      canonical.push_back(' ');
      folded.push_back(' ');
    }
    t.canonical_begin = static_cast<uint32_t>(canonical.size());
    t.folded_begin = static_cast<uint32_t>(folded.size());
  };
  auto finish = [&](Token& t) {
    t.canonical_end = static_cast<uint32_t>(canonical.size());
    t.folded_end = static_cast<uint32_t>(folded.size());
    tokens.push_back(t);
  };
  size_t r = 0;
  for (size_t i = 0; i < text->tokens_.size(); ++i) {
    const Token& old = text->tokens_[i];
    std::vector<std::string_view> syllables;
    const bool rewritten = r < rewrites.size() && rewrites[r].token == i;
    if (rewritten) {
      const std::string_view words = rewrites[r].canonical;
      for (size_t b = 0; b <= words.size() && syllables.size() < 255;) {
        size_t e = words.find(' ', b);
        if (e == std::string_view::npos) e = words.size();
        if (e > b) syllables.push_back(words.substr(b, e - b));
        b = e + 1;
      }
    }
    if (!syllables.empty()) {
      for (size_t k = 0; k < syllables.size(); ++k) {
        Token t = old;
        t.part = static_cast<uint8_t>(k);
        t.parts = static_cast<uint8_t>(syllables.size());
        t.steps |= rewrites[r].steps;
        start(t);
        canonical.append(syllables[k]);
        AppendFolded(syllables[k], folded);
        finish(t);
      }
      ++r;
      continue;
    }
    r += rewritten;  // no syllables: the token stays as it was
    Token t = old;
    start(t);
    canonical.append(text->text(old));
    folded.append(text->folded_text(old));
    finish(t);
  }
  text->tokens_ = std::move(tokens);
  text->canonical_ = std::move(canonical);
  text->folded_ = std::move(folded);
}

}  // namespace vigil::normalize
