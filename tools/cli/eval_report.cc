#include "tools/cli/eval_report.h"

#include <iomanip>
#include <set>
#include <sstream>

namespace vigil::cli {

using match::Category;
using score::Confusion;

Outcome Judge(const Analyzer& analyzer, std::string_view text) {
  const Analyzer::Result r = analyzer.Analyze(text);
  Outcome o;
  o.flagged = r.verdict.flagged_categories;
  o.curated = r.verdict.curated_severities;
  o.learned = r.verdict.learned_scores;
  o.learned_moderate = r.verdict.learned_moderate_scores;
  for (const match::Hit& h : r.verdict.hits) {
    if (score::IsViHsdCategory(analyzer.lexicon().terms()[h.term].category)) {
      o.viHsd_char_spans.emplace_back(h.begin_char, h.end_char);
    }
  }
  return o;
}

uint32_t FlagsAt(const match::Lexicon& lexicon, const Outcome& o,
                 const std::array<double, match::kNumCategories>& t) {
  uint32_t flags = 0;
  for (int c = 0; c < match::kNumCategories; ++c) {
    const match::CategorySettings& s =
        lexicon.settings(static_cast<Category>(c));
    match::Severity sev = o.curated[c];
    if (s.has_learned) {
      if (o.learned_moderate[c] >= t[c]) {
        sev = std::max(sev, match::Severity::kModerate);
      } else if (o.learned[c] >= t[c]) {
        sev = std::max(sev, match::Severity::kMild);
      }
    }
    if (sev != match::Severity::kNone && sev >= s.min_severity) {
      flags |= 1u << c;
    }
  }
  return flags;
}

void Tally::Add(const Dataset& d, const DatasetRow& row, const Outcome& o) {
  ++rows;
  const int predicted = score::ToViHsdLabel(o.flagged);
  if (d.format == "synthetic") {
    if (row.hard_negative) {
      ++hard_negatives;
      hard_flagged += o.flagged != 0;
    }
    for (int c = 0; c < match::kNumCategories; ++c) {
      if (row.categories & (1u << c)) {
        ++positives[c];
        found[c] += (o.flagged >> c) & 1;
      }
    }
    binary.Add(row.categories != 0, o.flagged != 0);
    return;
  }
  if (row.vihsd_label >= 0) three.Add(row.vihsd_label, predicted);
  binary.Add(row.toxic == 1, predicted > 0);
  if (d.format == "vihos") {
    std::set<long> hit;
    for (auto [b, e] : o.viHsd_char_spans) {
      for (long k = b; k < e; ++k) hit.insert(k);
    }
    const std::set<long> gold(row.span_chars.begin(), row.span_chars.end());
    for (long k : hit) (gold.count(k) ? span_tp : span_fp)++;
    for (long k : gold) span_fn += !hit.count(k);
  }
}

std::string F4(double x) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(4) << x;
  return s.str();
}

static void PrintConfusion(std::ostream& out, const Confusion& m,
                           const std::vector<std::string>& names) {
  out << "    " << std::left << std::setw(12) << "class" << std::right
      << std::setw(10) << "precision" << std::setw(8) << "recall"
      << std::setw(8) << "f1" << std::setw(9) << "support"
      << "\n";
  for (int c = 0; c < m.classes(); ++c) {
    out << "    " << std::left << std::setw(12) << names[c] << std::right
        << std::setw(10) << F4(m.Precision(c)) << std::setw(8)
        << F4(m.Recall(c)) << std::setw(8) << F4(m.F1(c)) << std::setw(9)
        << m.Support(c) << "\n";
  }
  out << "    macro-F1    " << F4(m.MacroF1()) << "\n";
}

void PrintDataset(std::ostream& out, const Dataset& d,
                  const std::array<Tally, kNumVariants>& tallies,
                  size_t excluded) {
  out << "\n== " << d.path << " (" << d.format << "): " << tallies[0].rows
      << " rows";
  if (excluded) out << ", " << excluded << " left out (text learned from)";
  if (d.skipped) out << ", " << d.skipped << " malformed rows skipped";
  out << "\n";
  const Tally& t = tallies[0];
  if (d.format == "synthetic") {
    out << "  " << std::left << std::setw(11) << "category" << std::right
        << std::setw(9) << "recall" << std::setw(11) << "unaccented"
        << std::setw(10) << "support\n";
    for (int c = 0; c < match::kNumCategories; ++c) {
      if (!t.positives[c]) continue;
      const auto rate = [&](const Tally& x) {
        return x.positives[c] ? double(x.found[c]) / x.positives[c] : 0.0;
      };
      out << "  " << std::left << std::setw(11) << match::kCategoryNames[c]
          << std::right << std::setw(9) << F4(rate(t)) << std::setw(11)
          << F4(rate(tallies[1])) << std::setw(9) << t.positives[c] << "\n";
    }
    out << "  hard negatives flagged: " << t.hard_flagged << " of "
        << t.hard_negatives << " ("
        << F4(t.hard_negatives ? double(t.hard_flagged) / t.hard_negatives : 0)
        << "); unaccented "
        << F4(tallies[1].hard_negatives
                  ? double(tallies[1].hard_flagged) / tallies[1].hard_negatives
                  : 0)
        << "\n";
  } else {
    if (t.three.Support(1) + t.three.Support(2) > 0) {
      out << "  3-class (CLEAN / OFFENSIVE / HATE):\n";
      PrintConfusion(out, t.three, {"CLEAN", "OFFENSIVE", "HATE"});
    }
    out << "  binary (toxic vs clean):\n";
    PrintConfusion(out, t.binary, {"CLEAN", "TOXIC"});
    if (d.format == "vihos") {
      const double p = t.span_tp + t.span_fp
                           ? double(t.span_tp) / (t.span_tp + t.span_fp)
                           : 0;
      const double r = t.span_tp + t.span_fn
                           ? double(t.span_tp) / (t.span_tp + t.span_fn)
                           : 0;
      out << "  character spans: precision " << F4(p) << "  recall " << F4(r)
          << "  f1 " << F4(p + r > 0 ? 2 * p * r / (p + r) : 0) << "\n";
    }
  }
  out << "  variants (binary):  " << std::left << std::setw(16) << "copy"
      << std::right << std::setw(10) << "macro-F1" << std::setw(9) << "recall"
      << std::setw(8) << "FPR"
      << "\n";
  for (size_t v = 0; v < tallies.size(); ++v) {
    const Tally& x = tallies[v];
    out << "                      " << std::left << std::setw(16)
        << kVariantNames[v] << std::right << std::setw(10)
        << F4(x.binary.MacroF1()) << std::setw(9) << F4(x.binary.Recall(1))
        << std::setw(8) << F4(x.Fpr()) << "\n";
  }
}

}  // namespace vigil::cli
