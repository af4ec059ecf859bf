// `vigil backtest`: what a candidate lexicon directory would have done to
// the items in a review store (service/backtest/backtest.h), as a table or
// as the BacktestReport message in JSON.
#include <unistd.h>

#include <cstdio>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/backtest/backtest.h"
#include "service/proto_json.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/paths.h"
#include "tools/cli/store_access.h"

namespace vigil::cli {
namespace {

constexpr char kUsage[] =
    "usage: vigil backtest --store URL --lexicons DIR [--baseline DIR]\n"
    "                      [--since DURATION] [--max-item-ids N]\n"
    "                      [--max-terms N] [--json]\n"
    "Re-analyzes the items of a review store (flagged and sampled) with the\n"
    "baseline lexicons and with the candidate directory --lexicons, and\n"
    "reports what would change: per category, items newly flagged or no\n"
    "longer flagged; per term, items newly hit or no longer hit; with\n"
    "analysts' decisions as labels, precision and recall before -> after with\n"
    "95% Wilson intervals; and the first item ids behind each number.\n"
    "--store is a store URL as for vigil serve (sqlite:PATH, "
    "postgresql://..);\n"
    "--baseline defaults to the shipped lexicons ($VIGIL_LEXICONS or\n"
    "./lexicons); --since limits the items to those last flagged within\n"
    "30m, 24h, 30d...; --max-item-ids (default 20) and --max-terms (default\n"
    "100) bound the lists; --json prints the report as JSON (admin.proto's\n"
    "BacktestReport). The store is only read.\n";

std::string Fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

// "0.912 [0.880, 0.936] of 300", or "- of 0".
std::string ShareText(const v1::Share& share) {
  if (!share.has_value()) return "-";
  return Fixed(share.value(), 3) + " [" + Fixed(share.low(), 3) + ", " +
         Fixed(share.high(), 3) + "] of " + std::to_string(share.n());
}

std::string Ids(const google::protobuf::RepeatedField<int64_t>& ids,
                int64_t count) {
  std::string out;
  for (int64_t id : ids) {
    if (!out.empty()) out += ",";
    out += std::to_string(id);
  }
  if (count > ids.size()) out += ",...";
  return out;
}

void PrintReport(const v1::BacktestReport& r, const std::string& baseline,
                 std::ostream& out) {
  out << "backtest of " << r.directory() << " against " << baseline << "\n"
      << "  before " << r.before_version() << "\n"
      << "  after  " << r.after_version() << "\n"
      << r.items() << " items re-analyzed (" << r.erased()
      << " skipped: text erased), " << r.decided() << " with a decision, in "
      << Fixed(r.elapsed().seconds() + r.elapsed().nanos() / 1e9, 1) << " s\n"
      << "newly flagged " << r.newly_flagged() << ", no longer flagged "
      << r.no_longer_flagged() << ", flagged in other categories "
      << r.changed_categories() << "\n";
  if (r.newly_flagged() > 0) {
    out << "  newly flagged: "
        << Ids(r.newly_flagged_item_ids(), r.newly_flagged()) << "\n";
  }
  if (r.no_longer_flagged() > 0) {
    out << "  no longer flagged: "
        << Ids(r.no_longer_flagged_item_ids(), r.no_longer_flagged()) << "\n";
  }
  if (r.changed_categories() > 0) {
    out << "  other categories: "
        << Ids(r.changed_categories_item_ids(), r.changed_categories()) << "\n";
  }
  out << "\ncategory      flagged          gained   lost\n";
  for (const v1::CategoryBacktest& c : r.categories()) {
    out << std::left << std::setw(12) << c.category() << std::right
        << std::setw(8) << c.flagged_before() << " -> " << std::left
        << std::setw(8) << c.flagged_after() << std::right << std::setw(6)
        << absl::StrCat("+", c.gained()) << std::setw(7)
        << absl::StrCat("-", c.lost()) << "\n";
    if (c.precision_before().n() + c.precision_after().n() +
            c.recall_before().n() + c.recall_after().n() >
        0) {
      out << "    precision " << ShareText(c.precision_before()) << " -> "
          << ShareText(c.precision_after()) << "\n"
          << "    recall    " << ShareText(c.recall_before()) << " -> "
          << ShareText(c.recall_after()) << "\n";
    }
    if (c.gained() > 0) {
      out << "    gained: " << Ids(c.gained_item_ids(), c.gained()) << "\n";
    }
    if (c.lost() > 0) {
      out << "    lost: " << Ids(c.lost_item_ids(), c.lost()) << "\n";
    }
  }
  out << "\nterms whose items changed: " << r.terms_changed();
  if (r.terms_size() < r.terms_changed()) {
    out << " (the " << r.terms_size() << " most changed)";
  }
  out << "\n";
  for (const v1::TermBacktest& t : r.terms()) {
    out << "  " << std::left << std::setw(10) << t.category() << std::right
        << " " << t.term() << (t.learned() ? " (learned)" : "") << ": items "
        << t.items_before() << " -> " << t.items_after() << ", +" << t.gained()
        << " -" << t.lost();
    if (t.gained() > 0) {
      out << "; gained " << Ids(t.gained_item_ids(), t.gained());
    }
    if (t.lost() > 0) out << "; lost " << Ids(t.lost_item_ids(), t.lost());
    out << "\n";
  }
}

}  // namespace

int RunBacktest(const std::vector<std::string>& args, const char* argv0,
                std::ostream& out, std::ostream& err) {
  ParsedFlags flags = ParseFlags(args,
                                 {"--store", "--lexicons", "--baseline",
                                  "--since", "--max-item-ids", "--max-terms"},
                                 {"--json", "-h", "--help"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kUsage;
    return 0;
  }
  if (flags.Get("--store").empty()) flags.Fail("--store URL is required");
  if (flags.Get("--lexicons").empty()) {
    flags.Fail("--lexicons DIR (the candidate) is required");
  }
  service::BacktestOptions options;
  flags.GetWholeNumber("--max-item-ids", 0, 100000, &options.max_item_ids);
  flags.GetWholeNumber("--max-terms", 0, 1000000, &options.max_terms);
  if (!flags.Get("--since").empty()) {
    const int64_t since = ParseDurationSeconds(flags.Get("--since"));
    if (since == 0) {
      flags.Fail("--since takes a duration such as 30m, 24h or 30d");
    }
    options.since = absl::Now() - absl::Seconds(since);
  }
  if (flags.ReportUsageError("backtest", kUsage, err)) return 2;

  const std::string baseline = LexiconDir(flags.Get("--baseline"), argv0);
  auto before =
      LoadAnalyzerOrReport(baseline, argv0, "vigil backtest: baseline", err);
  if (!before) return 1;
  auto after = LoadAnalyzerOrReport(flags.Get("--lexicons"), argv0,
                                    "vigil backtest: candidate", err);
  if (!after) return 1;
  auto store = OpenExistingStore(flags.Get("--store"), err);
  if (store == nullptr) return 1;
  const bool tty = isatty(STDERR_FILENO);
  if (tty) {
    options.progress = [&err](const v1::BacktestProgress& p) {
      err << "\rvigil backtest: " << p.items_read() << " items read"
          << std::flush;
    };
  }
  absl::StatusOr<v1::BacktestReport> report =
      service::RunBacktest(*store, *before, *after, options);
  if (tty) err << "\n";
  if (!report.ok()) {
    err << "vigil backtest: " << report.status().message() << "\n";
    return 1;
  }
  report->set_directory(flags.Get("--lexicons"));
  if (flags.Has("--json")) {
    absl::StatusOr<std::string> json = service::MessageJson(*report);
    if (!json.ok()) {
      err << "vigil backtest: " << json.status().message() << "\n";
      return 1;
    }
    out << *json << "\n";
  } else {
    PrintReport(*report, baseline, out);
  }
  return out.good() ? 0 : 1;
}

}  // namespace vigil::cli
