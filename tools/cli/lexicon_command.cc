// `vigil lexicon lint DIR`.
#include <ostream>

#include "analyzers/match/lexicon.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/paths.h"

namespace vigil::cli {
namespace {

constexpr char kUsage[] =
    "usage: vigil lexicon lint [DIR]\n"
    "Checks a lexicon directory (default: the shipped lexicons): manifest,\n"
    "formats, duplicate entries, invalid regexes, terms not in canonical\n"
    "form, and fold-allowed terms whose folded form is a common harmless\n"
    "word. Prints each problem as file:line: message; exits 1 if any.\n";

}  // namespace

int RunLexicon(const std::vector<std::string>& args, const char* argv0,
               std::ostream& out, std::ostream& err) {
  ParsedFlags flags = ParseFlags(args, {}, {"-h", "--help"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kUsage;
    return 0;
  }
  if (!flags.error.empty() || flags.positional.empty() ||
      flags.positional[0] != "lint" || flags.positional.size() > 2) {
    err << "vigil lexicon: "
        << (flags.error.empty() ? "expected 'lint [DIR]'" : flags.error) << "\n"
        << kUsage;
    return 2;
  }
  const std::string dir = LexiconDir(
      flags.positional.size() == 2 ? flags.positional[1] : "", argv0);
  const match::LexiconFiles files = match::LexiconFiles::Read(dir);
  auto normalizer = files.NewNormalizer();
  if (!normalizer.ok()) {
    err << normalizer.status().message() << "\n";
    return 1;
  }
  std::vector<match::LexiconProblem> problems =
      match::Lexicon::Lint(files, **normalizer);
  for (const match::LexiconProblem& p : problems) {
    err << p.where << ": " << p.message << "\n";
  }
  if (!problems.empty()) {
    err << "vigil lexicon lint: " << problems.size() << " problem"
        << (problems.size() == 1 ? "" : "s") << " in " << dir << "\n";
    return 1;
  }
  out << "vigil lexicon lint: " << dir << " is clean\n";
  return 0;
}

}  // namespace vigil::cli
