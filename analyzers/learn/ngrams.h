// Syllable n-grams of a normalized post: the features of the learned
// lexicons, matched back by the matcher exactly as it matches terms.
#ifndef VIGIL_ANALYZERS_LEARN_NGRAMS_H_
#define VIGIL_ANALYZERS_LEARN_NGRAMS_H_

#include <string>
#include <vector>

#include "analyzers/normalize/normalizer.h"

namespace vigil::learn {

// The distinct n-grams (1 <= n <= max_n) of consecutive word and number
// tokens of `text`, canonical texts joined by single spaces, sorted. Other
// tokens (punctuation, emoji, URLs, ...) break runs, as they do in matching.
std::vector<std::string> SyllableNgrams(const normalize::NormalizedText& text,
                                        int max_n);

}  // namespace vigil::learn

#endif  // VIGIL_ANALYZERS_LEARN_NGRAMS_H_
