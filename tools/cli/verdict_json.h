// The JSON form of a verdict, shared by `vigil classify` (and later the
// service's JSON API).
#ifndef VIGIL_TOOLS_CLI_VERDICT_JSON_H_
#define VIGIL_TOOLS_CLI_VERDICT_JSON_H_

#include <nlohmann/json.hpp>

#include "analyzers/analyzer.h"

namespace vigil::cli {

// {"flagged", "flagged_categories", "scores", "severities", "matches":
// [{"category", "term", "weight", "severity", "begin", "end", "begin_char",
// "end_char", "via"}], "lexicon_version"}; matches strongest first.
nlohmann::json VerdictJson(const Analyzer& analyzer,
                           const Analyzer::Result& result);

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_VERDICT_JSON_H_
