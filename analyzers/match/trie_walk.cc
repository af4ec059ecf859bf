#include "analyzers/match/trie_walk.h"

#include <unicode/utf8.h>

#include "analyzers/normalize/vietnamese.h"

namespace vigil::match {

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

void LookUpIds(const normalize::NormalizedText& text,
               const SyllableDict& canonical, const SyllableDict& folded,
               ViewIds* ids) {
  const std::vector<normalize::Token>& tokens = text.tokens();
  ids->canonical.assign(tokens.size(), -1);
  ids->folded.assign(tokens.size(), -1);
  for (size_t t = 0; t < tokens.size(); ++t) {
    if (tokens[t].kind != normalize::TokenKind::kWord &&
        tokens[t].kind != normalize::TokenKind::kNumber) {
      continue;
    }
    ids->canonical[t] = canonical.IdOf(text.text(tokens[t]));
    ids->folded[t] = folded.IdOf(text.folded_text(tokens[t]));
  }
}

}  // namespace vigil::match
