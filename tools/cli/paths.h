// Locating the data files vigil ships (lexicons/), for the CLI.
#ifndef VIGIL_TOOLS_CLI_PATHS_H_
#define VIGIL_TOOLS_CLI_PATHS_H_

#include <string>

namespace vigil::cli {

// The lexicons directory: `flag_value` when non-empty; else $VIGIL_LEXICONS;
// else "lexicons" beside the executable's parent (build/vigil →
// ./lexicons of the source tree); else "./lexicons".
std::string LexiconDir(const std::string& flag_value, const char* argv0);

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_PATHS_H_
