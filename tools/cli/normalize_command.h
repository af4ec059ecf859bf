// `vigil normalize`: one canonical line per input line.
#ifndef VIGIL_TOOLS_CLI_NORMALIZE_COMMAND_H_
#define VIGIL_TOOLS_CLI_NORMALIZE_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace vigil::cli {

// Runs `vigil normalize ARGS` reading `in` and writing `out`; errors go to
// `err`. Returns the process exit code (0 ok, 1 runtime error, 2 usage).
int RunNormalize(const std::vector<std::string>& args, const char* argv0,
                 std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_NORMALIZE_COMMAND_H_
