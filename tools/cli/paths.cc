#include "tools/cli/paths.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace vigil::cli {

std::string LexiconDir(const std::string& flag_value, const char* argv0) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("VIGIL_LEXICONS"); env && *env) return env;
  std::error_code ec;
  std::filesystem::path exe =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) exe = std::filesystem::path(argv0);
  std::filesystem::path candidate =
      exe.parent_path().parent_path() / "lexicons";
  if (std::filesystem::is_directory(candidate, ec)) return candidate.string();
  return "lexicons";
}

}  // namespace vigil::cli
