#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "analyzers/normalize/normalizer.h"
#include "tools/cli/commands.h"
#include "tools/cli/paths.h"

namespace vigil::cli {
namespace {

using normalize::NormalizedText;
using normalize::Normalizer;
using normalize::Token;

constexpr char kUsage[] =
    "usage: vigil normalize [--view canonical|folded] [--json] "
    "[--lexicons DIR] [--teencode FILE]\n"
    "Reads posts, one per line, on stdin; writes one normalized line per "
    "input line.\n"
    "  --view     canonical (default) or folded (no diacritics)\n"
    "  --json     one JSON object per line: both views, unaccented, and every\n"
    "             token with kind, offsets into the line and steps applied\n"
    "  --lexicons directory holding teencode.tsv (default: shipped lexicons)\n"
    "  --teencode teencode table to use instead of DIR/teencode.tsv\n";

nlohmann::json ToJson(const Normalizer& normalizer, const NormalizedText& n) {
  nlohmann::json tokens = nlohmann::json::array();
  for (const Token& t : n.tokens()) {
    nlohmann::json j = {
        {"kind", normalize::TokenKindName(t.kind)},
        {"text", n.text(t)},
        {"folded", n.folded_text(t)},
        {"begin", t.begin},
        {"end", t.end},
        {"begin_char", t.begin_char},
        {"end_char", t.end_char},
        {"steps", normalize::StepNames(t.steps)},
    };
    if (t.parts > 1) {
      j["part"] = t.part;
      j["parts"] = t.parts;
    }
    if (t.ambiguous_teencode >= 0) {
      j["teencode_candidates"] =
          normalizer.teencode().entry(t.ambiguous_teencode).expansions;
    }
    tokens.push_back(std::move(j));
  }
  return {{"canonical", n.canonical()},
          {"folded", n.folded()},
          {"unaccented", n.unaccented()},
          {"invalid_utf8", n.invalid_utf8()},
          {"tokens", std::move(tokens)}};
}

}  // namespace

int RunNormalize(const std::vector<std::string>& args, const char* argv0,
                 std::istream& in, std::ostream& out, std::ostream& err) {
  bool json = false;
  bool folded = false;
  std::string lexicons;
  std::string teencode;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& dst) {
      if (i + 1 >= args.size()) return false;
      dst = args[++i];
      return true;
    };
    std::string view;
    if (a == "--json") {
      json = true;
    } else if (a == "--view") {
      if (!value(view) || (view != "canonical" && view != "folded")) {
        err << "vigil normalize: --view takes 'canonical' or 'folded'\n"
            << kUsage;
        return 2;
      }
      folded = view == "folded";
    } else if (a == "--lexicons") {
      if (!value(lexicons)) {
        err << "vigil normalize: --lexicons needs a directory\n" << kUsage;
        return 2;
      }
    } else if (a == "--teencode") {
      if (!value(teencode)) {
        err << "vigil normalize: --teencode needs a file\n" << kUsage;
        return 2;
      }
    } else if (a == "-h" || a == "--help") {
      out << kUsage;
      return 0;
    } else {
      err << "vigil normalize: unknown argument '" << a << "'\n" << kUsage;
      return 2;
    }
  }
  if (teencode.empty())
    teencode = LexiconDir(lexicons, argv0) + "/teencode.tsv";
  auto normalizer = Normalizer::Create({.teencode_path = teencode});
  if (!normalizer.ok()) {
    err << "vigil normalize: " << normalizer.status().message() << "\n";
    return 1;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    NormalizedText n = (*normalizer)->Normalize(line);
    if (json) {
      out << ToJson(**normalizer, n)
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
          << '\n';
    } else {
      out << (folded ? n.folded() : n.canonical()) << '\n';
    }
  }
  if (in.bad()) {
    err << "vigil normalize: error reading standard input\n";
    return 1;
  }
  out.flush();
  if (!out) {
    err << "vigil normalize: error writing standard output\n";
    return 1;
  }
  return 0;
}

}  // namespace vigil::cli
