// The harm categories vigil scores.
#ifndef VIGIL_ANALYZERS_MATCH_CATEGORY_H_
#define VIGIL_ANALYZERS_MATCH_CATEGORY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::match {

// profanity: vulgar words aimed at no one; insult: harassment of a person;
// hate: attacks on a group or identity; threat: violence; sexual;
// self_harm; scam; spam.
enum class Category : uint8_t {
  kProfanity,
  kInsult,
  kHate,
  kThreat,
  kSexual,
  kSelfHarm,
  kScam,
  kSpam,
};
inline constexpr int kNumCategories = 8;
static_assert(static_cast<int>(Category::kSpam) + 1 == kNumCategories);

inline constexpr std::array<std::string_view, kNumCategories> kCategoryNames = {
    "profanity", "insult",    "hate", "threat",
    "sexual",    "self_harm", "scam", "spam"};

inline std::string_view CategoryName(Category c) {
  return kCategoryNames[static_cast<int>(c)];
}

// The category named `name` ("self_harm"), or nullopt for unknown names.
inline std::optional<Category> ParseCategory(std::string_view name) {
  for (int i = 0; i < kNumCategories; ++i) {
    if (kCategoryNames[i] == name) return static_cast<Category>(i);
  }
  return std::nullopt;
}

// "unknown category 'NAME' (known: profanity, insult, ..., spam)": how every
// component (lexicon files, queue and statistics filters) refuses a name
// that ParseCategory() does not know.
inline std::string UnknownCategoryMessage(std::string_view name) {
  std::string out = "unknown category '";
  out.append(name).append("' (known: ");
  for (int i = 0; i < kNumCategories; ++i) {
    out.append(i ? ", " : "").append(kCategoryNames[i]);
  }
  return out.append(")");
}

// How harmful a piece of evidence is (lexicons/README.md, "Severity"):
// mild = a casual intensifier or exclamation aimed at no one ("vãi", "vl"),
// moderate = vulgar, abusive or harmful, severe = the worst of a category.
// kNone is a category with no evidence.
enum class Severity : uint8_t {
  kNone = 0,
  kMild = 1,
  kModerate = 2,
  kSevere = 3
};
inline constexpr int kNumSeverities = 4;

inline constexpr std::array<std::string_view, kNumSeverities> kSeverityNames = {
    "none", "mild", "moderate", "severe"};

inline std::string_view SeverityName(Severity s) {
  return kSeverityNames[static_cast<int>(s)];
}

// The severity named `name` ("mild", "moderate", "severe"; "none" too when
// `allow_none`), or nullopt.
inline std::optional<Severity> ParseSeverity(std::string_view name,
                                             bool allow_none = false) {
  for (int i = allow_none ? 0 : 1; i < kNumSeverities; ++i) {
    if (kSeverityNames[i] == name) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

}  // namespace vigil::match

#endif  // VIGIL_ANALYZERS_MATCH_CATEGORY_H_
