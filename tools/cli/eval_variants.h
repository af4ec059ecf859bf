// The copies of a labeled row that `vigil eval` also scores: written
// without diacritics, and three evasions of 30% of its words, to show what
// each costs.
#ifndef VIGIL_TOOLS_CLI_EVAL_VARIANTS_H_
#define VIGIL_TOOLS_CLI_EVAL_VARIANTS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::cli {

enum class Variant { kAsWritten, kUnaccented, kDotted, kStarred, kSpaced };
inline constexpr int kNumVariants = 5;
inline constexpr std::array<const char*, kNumVariants> kVariantNames = {
    "as written", "unaccented", "dotted (n.g.u)", "starred (ng*)",
    "spaced (n g u)"};

// FNV-1a of `s` from `h`: a stable hash for choosing folds and words.
uint64_t TextHash(std::string_view s, uint64_t h = 0xcbf29ce484222325ull);

// `text` without diacritics, case kept ("Đồ NGU" → "Do NGU"); NFC or NFD
// input.
std::string Unaccent(std::string_view text);

// `text` as `variant` writes it. The evasions rewrite ~30% of the words of
// two or more letters (chosen by a hash of `seed` and the word's position):
// letters joined by '.', one inner letter replaced by '*', or letters
// joined by ' '. Deterministic.
std::string Perturb(std::string_view text, Variant variant, uint64_t seed);

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_EVAL_VARIANTS_H_
