#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "absl/strings/numbers.h"
#include "analyzers/lm/restorer.h"
#include "analyzers/lm/syllable_lm.h"
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
    "                       [--restore [--lm FILE] [--min-confidence P]]\n"
    "Reads posts, one per line, on stdin; writes one normalized line per "
    "input line.\n"
    "  --view     canonical (default) or folded (no diacritics)\n"
    "  --json     one JSON object per line: both views, unaccented, and every\n"
    "             token with kind, offsets into the line and steps applied\n"
    "  --lexicons directory holding teencode.tsv (default: shipped lexicons)\n"
    "  --teencode teencode table to use instead of DIR/teencode.tsv\n"
    "  --restore  restore the diacritics of words written without them\n"
    "             (canonical view) with the syllable language model\n"
    "             (DIR/lm/syllables.tsv.gz, or --lm FILE) where its\n"
    "             confidence is at least P (default 0.9); --json adds each\n"
    "             such word's candidates, choice and confidence\n";

nlohmann::json ToJson(const Normalizer& normalizer, const NormalizedText& n,
                      const lm::SyllableLm* lm,
                      const std::vector<lm::Choice>& choices) {
  nlohmann::json tokens = nlohmann::json::array();
  for (size_t i = 0; i < n.tokens().size(); ++i) {
    const Token& t = n.tokens()[i];
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
    if (lm != nullptr && i < choices.size() && choices[i].open) {
      const lm::Choice& c = choices[i];
      j["restoration"] = {{"best", c.candidates[c.best]},
                          {"confidence", c.confidence},
                          {"restored", c.restored},
                          {"candidates", c.candidates}};
    }
    tokens.push_back(std::move(j));
  }
  nlohmann::json out = {{"canonical", n.canonical()},
                        {"folded", n.folded()},
                        {"unaccented", n.unaccented()},
                        {"invalid_utf8", n.invalid_utf8()},
                        {"tokens", std::move(tokens)}};
  if (lm != nullptr) out["restored"] = lm::RestoredCanonical(n, choices);
  return out;
}

}  // namespace

int RunNormalize(const std::vector<std::string>& args, const char* argv0,
                 std::istream& in, std::ostream& out, std::ostream& err) {
  bool json = false;
  bool folded = false;
  bool restore = false;
  std::string lexicons;
  std::string teencode;
  std::string lm_path;
  double min_confidence = lm::Options().min_confidence;
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
    } else if (a == "--restore") {
      restore = true;
    } else if (a == "--lm") {
      if (!value(lm_path)) {
        err << "vigil normalize: --lm needs a file\n" << kUsage;
        return 2;
      }
    } else if (a == "--min-confidence") {
      std::string p;
      if (!value(p) || !absl::SimpleAtod(p, &min_confidence) ||
          min_confidence < 0 || min_confidence > 1) {
        err << "vigil normalize: --min-confidence takes a number in [0, 1]\n"
            << kUsage;
        return 2;
      }
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
  std::shared_ptr<const lm::SyllableLm> model;
  if (restore) {
    if (lm_path.empty()) {
      lm_path = LexiconDir(lexicons, argv0) + "/lm/syllables.tsv.gz";
    }
    auto loaded = lm::SyllableLm::Load(lm_path);
    if (!loaded.ok()) {
      err << "vigil normalize: " << loaded.status().message() << "\n";
      return 1;
    }
    model = *std::move(loaded);
  }
  const lm::Options options{.min_confidence = min_confidence};
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    NormalizedText n = (*normalizer)->Normalize(line);
    std::vector<lm::Choice> choices;
    if (model) {
      choices = lm::Restore(*model, (*normalizer)->teencode(), n, options);
    }
    if (json) {
      out << ToJson(**normalizer, n, model.get(), choices)
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
          << '\n';
    } else if (folded) {
      out << n.folded() << '\n';
    } else {
      out << (model ? lm::RestoredCanonical(n, choices) : n.canonical())
          << '\n';
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
