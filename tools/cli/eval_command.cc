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

#include "analyzers/util/csv.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/paths.h"

namespace vigil::cli {
namespace {

constexpr char kUsage[] =
    "usage: vigil eval --format vihsd|vihos [--lexicons DIR] FILE\n"
    "Prints precision, recall and F1 per class and macro-F1 (3-class and\n"
    "binary for vihsd; binary and character spans for vihos).\n";

using match::Category;

constexpr uint32_t Bit(Category c) { return 1u << static_cast<int>(c); }
constexpr uint32_t kHateLike =
    Bit(Category::kHate) | Bit(Category::kInsult) | Bit(Category::kThreat);
constexpr uint32_t kOffensiveLike =
    Bit(Category::kProfanity) | Bit(Category::kSexual);

// The ViHSD label a verdict maps to.
int PredictedLabel(uint32_t flagged) {
  if (flagged & kHateLike) return 2;
  if (flagged & kOffensiveLike) return 1;
  return 0;
}

// A confusion matrix over `n` classes.
class Confusion {
 public:
  explicit Confusion(int n) : n_(n), m_(n * n, 0) {}
  void Add(int gold, int predicted) { ++m_[gold * n_ + predicted]; }
  double Precision(int c) const {
    long tp = m_[c * n_ + c], col = 0;
    for (int g = 0; g < n_; ++g) col += m_[g * n_ + c];
    return col ? static_cast<double>(tp) / col : 0;
  }
  double Recall(int c) const {
    long tp = m_[c * n_ + c], row = Support(c);
    return row ? static_cast<double>(tp) / row : 0;
  }
  double F1(int c) const {
    const double p = Precision(c), r = Recall(c);
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
  long Support(int c) const {
    long row = 0;
    for (int p = 0; p < n_; ++p) row += m_[c * n_ + p];
    return row;
  }
  double MacroF1() const {
    double sum = 0;
    for (int c = 0; c < n_; ++c) sum += F1(c);
    return sum / n_;
  }
  void Print(std::ostream& out, const std::vector<std::string>& names) const {
    out << "  " << std::left << std::setw(12) << "class" << std::right
        << std::setw(10) << "precision" << std::setw(8) << "recall"
        << std::setw(8) << "f1" << std::setw(9) << "support"
        << "\n";
    for (int c = 0; c < n_; ++c) {
      out << "  " << std::left << std::setw(12) << names[c] << std::right
          << std::fixed << std::setprecision(4) << std::setw(10) << Precision(c)
          << std::setw(8) << Recall(c) << std::setw(8) << F1(c) << std::setw(9)
          << Support(c) << "\n";
    }
    out << "  macro-F1    " << std::setprecision(4) << MacroF1() << "\n";
  }

 private:
  int n_;
  std::vector<long> m_;
};

}  // namespace

int RunEval(const std::vector<std::string>& args, const char* argv0,
            std::ostream& out, std::ostream& err) {
  ParsedFlags flags =
      ParseFlags(args, {"--format", "--lexicons"}, {"-h", "--help"});
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
      LoadAnalyzerOrReport(flags.Get("--lexicons"), argv0, "vigil eval", err);
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
    const int predicted = PredictedLabel(flagged);
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
        if (!(Bit(c) & (kHateLike | kOffensiveLike))) continue;
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
  out << "\nlexicon:  " << analyzer->version() << "\n";
  if (format == "vihsd") {
    out << "3-class (CLEAN / OFFENSIVE / HATE):\n";
    three.Print(out, {"CLEAN", "OFFENSIVE", "HATE"});
  }
  out << "binary (toxic vs clean):\n";
  binary.Print(out, {"CLEAN", "TOXIC"});
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
