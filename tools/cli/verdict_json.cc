#include "tools/cli/verdict_json.h"

namespace vigil::cli {

nlohmann::json VerdictJson(const Analyzer& analyzer,
                           const Analyzer::Result& result) {
  const score::Verdict& v = result.verdict;
  nlohmann::json categories = nlohmann::json::array();
  nlohmann::json scores = nlohmann::json::object();
  nlohmann::json severities = nlohmann::json::object();
  for (int c = 0; c < match::kNumCategories; ++c) {
    const auto category = static_cast<match::Category>(c);
    if (v.IsFlagged(category))
      categories.push_back(match::CategoryName(category));
    // Rounded for readability: 4 decimals are plenty for thresholds.
    scores[std::string(match::CategoryName(category))] =
        std::round(v.scores[c] * 10000) / 10000;
    severities[std::string(match::CategoryName(category))] =
        match::SeverityName(v.severities[c]);
  }
  nlohmann::json matches = nlohmann::json::array();
  for (const match::Hit& h : v.hits) {
    const match::Term& term = analyzer.lexicon().terms()[h.term];
    matches.push_back({
        {"category", match::CategoryName(term.category)},
        {"term", term.is_regex ? "re:" + term.text : term.text},
        {"weight", term.weight},
        {"severity", match::SeverityName(h.severity)},
        {"begin", h.begin},
        {"end", h.end},
        {"begin_char", h.begin_char},
        {"end_char", h.end_char},
        {"via", match::ViaNames(h.via)},
    });
    if (term.learned) matches.back()["learned"] = true;
  }
  nlohmann::json learned = nlohmann::json::object();
  for (int c = 0; c < match::kNumCategories; ++c) {
    const auto category = static_cast<match::Category>(c);
    if (analyzer.lexicon().settings(category).has_learned) {
      learned[std::string(match::CategoryName(category))] =
          std::round(v.learned_scores[c] * 10000) / 10000;
    }
  }
  nlohmann::json out = {{"flagged", v.flagged},
                        {"flagged_categories", std::move(categories)},
                        {"scores", std::move(scores)},
                        {"severities", std::move(severities)},
                        {"matches", std::move(matches)},
                        {"lexicon_version", analyzer.version()}};
  if (!learned.empty()) out["learned_scores"] = std::move(learned);
  return out;
}

}  // namespace vigil::cli
