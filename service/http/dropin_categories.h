// How vigil's categories answer for OpenAI's moderation categories and
// Perspective's attributes (dropin_api.h): each table is the one place its
// mapping is written, and README.md ("Drop-in APIs") prints the same.
//
// A mapped category's score is the highest score of the vigil categories
// it lists (the lowest, when `all` says every one must hold, as for
// "hate/threatening"); it is flagged when those vigil categories are
// flagged (any of them, or all). Categories vigil does not judge have no
// vigil categories: they answer false with score 0, and OpenAI's
// `category_applied_input_types` lists no input type for them (the way
// OpenAI marks a category it did not apply).
#ifndef VIGIL_SERVICE_HTTP_DROPIN_CATEGORIES_H_
#define VIGIL_SERVICE_HTTP_DROPIN_CATEGORIES_H_

#include <initializer_list>
#include <string_view>
#include <vector>

namespace vigil::service {

struct DropInCategory {
  std::string_view name;                // the original's name
  std::vector<std::string_view> vigil;  // vigil categories; empty: not judged
  bool all = false;                     // every one (else any one)
  // Perspective's SEVERE_TOXICITY: only evidence of severity "severe"
  // counts.
  bool severe_only = false;
};

// OpenAI's omni-moderation categories, in OpenAI's order.
inline const std::vector<DropInCategory>& OpenAiCategories() {
  static const auto* const kCategories = new std::vector<DropInCategory>{
      {"harassment", {"insult"}},
      {"harassment/threatening", {"threat"}},
      {"hate", {"hate"}},
      {"hate/threatening", {"hate", "threat"}, /*all=*/true},
      {"illicit", {"scam"}},
      {"illicit/violent", {}},
      {"self-harm", {"self_harm"}},
      {"self-harm/intent", {"self_harm"}},
      {"self-harm/instructions", {}},
      {"sexual", {"sexual"}},
      {"sexual/minors", {}},
      {"violence", {"threat"}},
      {"violence/graphic", {}},
  };
  return *kCategories;
}

// Perspective's production attributes vigil answers (others are refused
// as Perspective refuses an attribute it does not know).
inline const std::vector<DropInCategory>& PerspectiveAttributes() {
  static const auto* const kAttributes = new std::vector<DropInCategory>{
      {"TOXICITY", {"profanity", "insult", "hate", "threat", "sexual"}},
      {"SEVERE_TOXICITY",
       {"profanity", "insult", "hate", "threat", "sexual"},
       false,
       /*severe_only=*/true},
      {"IDENTITY_ATTACK", {"hate"}},
      {"INSULT", {"insult"}},
      {"PROFANITY", {"profanity"}},
      {"THREAT", {"threat"}},
      {"SEXUALLY_EXPLICIT", {"sexual"}},
      {"SPAM", {"spam"}},
  };
  return *kAttributes;
}

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_HTTP_DROPIN_CATEGORIES_H_
