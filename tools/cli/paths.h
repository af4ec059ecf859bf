// Locating the data files vigil ships (lexicons/), for the CLI.
#ifndef VIGIL_TOOLS_CLI_PATHS_H_
#define VIGIL_TOOLS_CLI_PATHS_H_

#include <iosfwd>
#include <memory>
#include <string>

#include "analyzers/analyzer.h"

namespace vigil::cli {

// The lexicons directory: `flag_value` when non-empty; else $VIGIL_LEXICONS;
// else "lexicons" beside the executable's parent (build/vigil →
// ./lexicons of the source tree); else share/vigil/lexicons of the
// executable's prefix (the Debian package's /usr/bin/vigil →
// /usr/share/vigil/lexicons); else "./lexicons".
std::string LexiconDir(const std::string& flag_value, const char* argv0);

// Loads the analyzer from LexiconDir(flag_value, argv0); on failure prints
// every problem (file:line: message) to `err` prefixed by `command` and
// returns null.
std::shared_ptr<const Analyzer> LoadAnalyzerOrReport(
    const std::string& flag_value, const char* argv0,
    const std::string& command, std::ostream& err,
    const Analyzer::Options& options = {});

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_PATHS_H_
