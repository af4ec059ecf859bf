#include "tools/cli/paths.h"

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <system_error>

namespace vigil::cli {

std::string LexiconDir(const std::string& flag_value, const char* argv0) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("VIGIL_LEXICONS"); env && *env) return env;
  std::error_code ec;
  std::filesystem::path exe =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) exe = std::filesystem::path(argv0);
  const std::filesystem::path prefix = exe.parent_path().parent_path();
  // build/vigil in a checkout; then bin/vigil of an installed prefix
  // (/usr/bin/vigil of the Debian package, cmake/packaging.cmake).
  for (const std::filesystem::path& candidate :
       {prefix / "lexicons", prefix / "share" / "vigil" / "lexicons"}) {
    if (std::filesystem::is_directory(candidate, ec)) return candidate.string();
  }
  return "lexicons";
}

std::shared_ptr<const Analyzer> LoadAnalyzerOrReport(
    const std::string& flag_value, const char* argv0,
    const std::string& command, std::ostream& err,
    const Analyzer::Options& options) {
  std::vector<match::LexiconProblem> problems;
  auto analyzer =
      Analyzer::Load(LexiconDir(flag_value, argv0), &problems, options);
  if (analyzer.ok()) return *analyzer;
  err << command << ": cannot load lexicons: " << analyzer.status().message()
      << "\n";
  for (const match::LexiconProblem& p : problems) {
    err << "  " << p.where << ": " << p.message << "\n";
  }
  return nullptr;
}

}  // namespace vigil::cli
