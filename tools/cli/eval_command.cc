// `vigil eval`: measures the analyzer on a labeled dataset.
//
// ViHSD (free_text, label_id: 0 CLEAN, 1 OFFENSIVE, 2 HATE): a post flagged
// hate, insult or threat counts as HATE; otherwise one flagged profanity or
// sexual as OFFENSIVE; otherwise CLEAN. Binary: any of those flagged = toxic.
// ViHOS (content, index_spans): toxic when it has spans; also character-level
// precision/recall of the hit spans against the labeled characters.
#include <chrono>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <sstream>

#include "analyzers/score/metrics.h"
#include "analyzers/util/csv.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/paths.h"

namespace vigil::cli {
namespace {

constexpr char kUsage[] =
    "usage: vigil eval --format vihsd|vihos [--lexicons DIR] [--curated-only] "
    "FILE\n"
    "Prints precision, recall and F1 per class and macro-F1 (3-class and\n"
    "binary for vihsd; binary and character spans for vihos).\n";

using match::Category;
using score::Confusion;

void PrintConfusion(std::ostream& out, const Confusion& m,
                    const std::vector<std::string>& names) {
  out << "  " << std::left << std::setw(12) << "class" << std::right
      << std::setw(10) << "precision" << std::setw(8) << "recall"
      << std::setw(8) << "f1" << std::setw(9) << "support"
      << "\n";
  for (int c = 0; c < m.classes(); ++c) {
    out << "  " << std::left << std::setw(12) << names[c] << std::right
        << std::fixed << std::setprecision(4) << std::setw(10) << m.Precision(c)
        << std::setw(8) << m.Recall(c) << std::setw(8) << m.F1(c)
        << std::setw(9) << m.Support(c) << "\n";
  }
  out << "  macro-F1    " << std::setprecision(4) << m.MacroF1() << "\n";
}

}  // namespace

int RunEval(const std::vector<std::string>& args, const char* argv0,
            std::ostream& out, std::ostream& err) {
  ParsedFlags flags = ParseFlags(args, {"--format", "--lexicons"},
                                 {"--curated-only", "-h", "--help"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kUsage;
    return 0;
  }
  const std::string format = flags.Get("--format");
  if (!flags.error.empty() || flags.positional.size() != 1 ||
      (format != "vihsd" && format != "vihos")) {
    err << "vigil eval: "
        << (!flags.error.empty()           ? flags.error
            : flags.positional.size() != 1 ? "give exactly one FILE"
                                           : "--format must be vihsd or vihos")
        << "\n"
        << kUsage;
    return 2;
  }
  const std::string& path = flags.positional[0];
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "vigil eval: cannot open " << path << "\n";
    return 1;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::vector<std::vector<std::string>> rows = ParseCsv(buffer.str());
  const std::string text_col = format == "vihsd" ? "free_text" : "content";
  const std::string label_col = format == "vihsd" ? "label_id" : "index_spans";
  const int ti = rows.empty() ? -1 : CsvColumn(rows[0], text_col);
  const int li = rows.empty() ? -1 : CsvColumn(rows[0], label_col);
  if (ti < 0 || li < 0) {
    err << "vigil eval: " << path << ": expected columns '" << text_col
        << "' and '" << label_col << "' in the header\n";
    return 1;
  }
  auto analyzer =
      LoadAnalyzerOrReport(flags.Get("--lexicons"), argv0, "vigil eval", err,
                           {.learned = !flags.Has("--curated-only")});
  if (!analyzer) return 1;

  Confusion three(3), binary(2);
  long span_tp = 0, span_fp = 0, span_fn = 0;
  size_t posts = 0, bytes = 0, skipped = 0;
  const auto start = std::chrono::steady_clock::now();
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::vector<std::string>& row = rows[r];
    if (static_cast<int>(row.size()) <= std::max(ti, li)) {
      err << "vigil eval: " << path << ": row " << r + 1
          << " has too few columns; skipped\n";
      ++skipped;
      continue;
    }
    const std::string& text = row[ti];
    const Analyzer::Result result = analyzer->Analyze(text);
    ++posts;
    bytes += text.size();
    const uint32_t flagged = result.verdict.flagged_categories;
    const int predicted = score::ToViHsdLabel(flagged);
    if (format == "vihsd") {
      const std::string& label = row[li];
      if (label != "0" && label != "1" && label != "2") {
        err << "vigil eval: " << path << ": row " << r + 1 << ": label '"
            << label << "' is not 0, 1 or 2; skipped\n";
        ++skipped;
        continue;
      }
      const int gold = label[0] - '0';
      three.Add(gold, predicted);
      binary.Add(gold > 0, predicted > 0);
    } else {
      std::set<long> gold_chars;
      try {
        for (const auto& v : nlohmann::json::parse(row[li])) {
          gold_chars.insert(v.get<long>());
        }
      } catch (const nlohmann::json::exception&) {
        err << "vigil eval: " << path << ": row " << r + 1
            << ": index_spans is not a JSON list of integers; skipped\n";
        ++skipped;
        continue;
      }
      binary.Add(!gold_chars.empty(), predicted > 0);
      std::set<long> hit_chars;
      for (const match::Hit& h : result.verdict.hits) {
        const Category c = analyzer->lexicon().terms()[h.term].category;
        if (!score::IsViHsdCategory(c)) continue;
        for (long k = h.begin_char; k < h.end_char; ++k) hit_chars.insert(k);
      }
      for (long k : hit_chars) (gold_chars.count(k) ? span_tp : span_fp)++;
      for (long k : gold_chars) span_fn += !hit_chars.count(k);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  out << "dataset:  " << path << " (" << format << "), " << posts << " posts";
  if (skipped) out << ", " << skipped << " rows skipped";
  out << "\nlexicon:  " << analyzer->version()
      << (flags.Has("--curated-only") ? " (curated only)" : "") << "\n";
  if (format == "vihsd") {
    out << "3-class (CLEAN / OFFENSIVE / HATE):\n";
    PrintConfusion(out, three, {"CLEAN", "OFFENSIVE", "HATE"});
  }
  out << "binary (toxic vs clean):\n";
  PrintConfusion(out, binary, {"CLEAN", "TOXIC"});
  if (format == "vihos") {
    const double p =
        span_tp + span_fp ? double(span_tp) / (span_tp + span_fp) : 0;
    const double rc =
        span_tp + span_fn ? double(span_tp) / (span_tp + span_fn) : 0;
    out << "character spans:  precision " << std::setprecision(4) << p
        << "  recall " << rc << "  f1 "
        << (p + rc > 0 ? 2 * p * rc / (p + rc) : 0) << "\n";
  }
  out << "speed:    " << std::setprecision(2) << seconds << " s, "
      << std::setprecision(1) << (seconds > 0 ? bytes / seconds / 1e6 : 0)
      << " MB/s of text\n";
  return 0;
}

}  // namespace vigil::cli
