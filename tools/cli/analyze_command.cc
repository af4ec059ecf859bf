// `vigil analyze` and `vigil classify`.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

#include "service/proto_json.h"
#include "service/verdict_proto.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/paths.h"

namespace vigil::cli {
namespace {

constexpr char kAnalyzeUsage[] =
    "usage: vigil analyze [--lexicons DIR] [--color|--no-color] TEXT...\n"
    "Prints the verdict on TEXT (the arguments joined by spaces): flagged\n"
    "categories, scores, every hit with its span, and the post with the\n"
    "hits marked.\n";

constexpr char kClassifyUsage[] =
    "usage: vigil classify --input FILE --output FILE [--lexicons DIR]\n"
    "                      [--threads N]\n"
    "Reads JSONL rows {\"id\": ..., \"text\": \"...\"} (FILE may be -) and\n"
    "writes one JSONL verdict per row, in order. A malformed row gets an\n"
    "output row with \"error\" and the run goes on. Progress and a summary\n"
    "go to stderr. --threads: posts analyzed at once (default: the\n"
    "machine's cores); the output is the same for any number.\n";

// ANSI colors per category for the highlighted post.
const char* CategoryColor(match::Category c) {
  static const char* const kColors[] = {"\033[35m", "\033[31m", "\033[91m",
                                        "\033[33m", "\033[95m", "\033[36m",
                                        "\033[34m", "\033[32m"};
  return kColors[static_cast<int>(c)];
}

// What one input row becomes: its output line (with the newline) and what
// the summary counts.
struct ClassifiedRow {
  std::string line;
  size_t text_bytes = 0;
  bool flagged = false;
  bool error = false;
};

// A row is {"id": <the input row's id>, ...the verdict's fields} or
// {"id": ..., "error": "..."}; the verdict's JSON comes from the API's
// printer, so only the id is spliced in. Thread-safe (`analyzer` is).
void ClassifyRow(const Analyzer& analyzer, std::string_view input,
                 ClassifiedRow* out) {
  std::string id = "null";
  std::string error;
  out->text_bytes = 0;
  out->flagged = false;
  nlohmann::json row;
  try {
    row = nlohmann::json::parse(input);
  } catch (const nlohmann::json::exception& e) {
    error = std::string("invalid JSON: ") + e.what();
  }
  if (error.empty() && !row.is_object()) error = "row is not a JSON object";
  if (error.empty()) {
    if (auto it = row.find("id"); it != row.end()) {
      id = it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    auto text = row.find("text");
    if (text == row.end() || !text->is_string()) {
      error = "row has no string field \"text\"";
    } else {
      const std::string& post = text->get_ref<const std::string&>();
      out->text_bytes = post.size();
      const Analyzer::Result r = analyzer.Analyze(post);
      v1::Verdict verdict;
      service::ToProto(analyzer, r, &verdict);
      absl::StatusOr<std::string> json = service::MessageJson(verdict);
      if (json.ok()) {
        out->flagged = r.verdict.flagged;
        out->line.assign("{\"id\":");
        out->line.append(id);
        out->line.push_back(',');
        out->line.append(*json, 1);
      } else {
        error = std::string(json.status().message());
      }
    }
  }
  out->error = !error.empty();
  if (out->error) {
    out->line.assign("{\"id\":");
    out->line.append(id);
    out->line.append(",\"error\":");
    out->line.append(nlohmann::json(error).dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace));
    out->line.push_back('}');
  }
  out->line.push_back('\n');
}

}  // namespace

int RunAnalyze(const std::vector<std::string>& args, const char* argv0,
               std::ostream& out, std::ostream& err) {
  ParsedFlags flags = ParseFlags(args, {"--lexicons"},
                                 {"--color", "--no-color", "-h", "--help"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kAnalyzeUsage;
    return 0;
  }
  if (!flags.error.empty() || flags.positional.empty()) {
    err << "vigil analyze: "
        << (flags.error.empty() ? "no TEXT given" : flags.error) << "\n"
        << kAnalyzeUsage;
    return 2;
  }
  auto analyzer = LoadAnalyzerOrReport(flags.Get("--lexicons"), argv0,
                                       "vigil analyze", err);
  if (!analyzer) return 1;
  std::string post;
  for (const std::string& p : flags.positional) {
    if (!post.empty()) post += ' ';
    post += p;
  }
  const bool color = flags.Has("--color") ||
                     (!flags.Has("--no-color") && isatty(STDOUT_FILENO));
  const Analyzer::Result r = analyzer->Analyze(post);
  const score::Verdict& v = r.verdict;
  const match::Lexicon& lex = analyzer->lexicon();

  out << "verdict:  ";
  if (!v.flagged) {
    out << "not flagged";
  } else {
    out << "FLAGGED";
    for (int c = 0; c < match::kNumCategories; ++c) {
      if (v.flagged_categories & (1u << c))
        out << " " << match::kCategoryNames[c];
    }
  }
  out << "\nlexicon:  " << analyzer->version() << "\n";
  if (r.normalized.unaccented())
    out << "note:     written without diacritics\n";
  out << "scores:  ";
  for (int c = 0; c < match::kNumCategories; ++c) {
    out << " " << match::kCategoryNames[c] << "=" << std::fixed
        << std::setprecision(2) << v.scores[c];
    if (v.severities[c] != match::Severity::kNone) {
      out << "(" << match::SeverityName(v.severities[c]) << ")";
    }
  }
  out << "\n";
  if (v.hits.empty()) {
    out << "hits:     none\n";
  } else {
    out << "hits:\n";
    for (const match::Hit& h : v.hits) {
      const match::Term& t = lex.terms()[h.term];
      out << "  " << std::left << std::setw(10)
          << match::CategoryName(t.category) << std::right << " \""
          << post.substr(h.begin, h.end - h.begin)
          << "\" = " << (t.is_regex ? "re:" : "") << t.text << "  weight "
          << std::setprecision(1) << t.weight << " "
          << match::SeverityName(h.severity) << "  bytes [" << h.begin << ","
          << h.end << ") chars [" << h.begin_char << "," << h.end_char << ")";
      std::vector<std::string_view> via = match::ViaNames(h.via);
      if (!via.empty()) {
        out << "  via";
        for (std::string_view s : via) out << " " << s;
      }
      out << "  (" << t.where << ")\n";
    }
  }
  // The post with each hit marked: [text]{category}, colored on a terminal.
  std::vector<const match::Hit*> by_position;
  for (const match::Hit& h : v.hits) by_position.push_back(&h);
  std::sort(by_position.begin(), by_position.end(),
            [](const match::Hit* a, const match::Hit* b) {
              return a->begin < b->begin ||
                     (a->begin == b->begin && a->end > b->end);
            });
  out << "post:     ";
  size_t pos = 0;
  for (const match::Hit* h : by_position) {
    if (h->begin < pos) continue;  // overlaps a hit already marked
    const match::Category c = lex.terms()[h->term].category;
    out << post.substr(pos, h->begin - pos);
    const std::string span = post.substr(h->begin, h->end - h->begin);
    if (color) {
      out << CategoryColor(c) << "\033[1m" << span << "\033[0m";
    } else {
      out << "[" << span << "]{" << match::CategoryName(c) << "}";
    }
    pos = h->end;
  }
  out << post.substr(pos) << "\n";
  return 0;
}

int RunClassify(const std::vector<std::string>& args, const char* argv0,
                std::istream& in, std::ostream& out, std::ostream& err) {
  ParsedFlags flags =
      ParseFlags(args, {"--input", "--output", "--lexicons", "--threads"},
                 {"-h", "--help"});
  if (flags.Has("-h") || flags.Has("--help")) {
    out << kClassifyUsage;
    return 0;
  }
  if (!flags.error.empty() || !flags.positional.empty() ||
      flags.Get("--input").empty() || flags.Get("--output").empty()) {
    err << "vigil classify: "
        << (!flags.error.empty() ? flags.error
                                 : "--input and --output are required")
        << "\n"
        << kClassifyUsage;
    return 2;
  }
  size_t threads = std::max(1u, std::thread::hardware_concurrency());
  if (!flags.GetWholeNumber("--threads", 1, 256, &threads)) {
    err << "vigil classify: " << flags.error << "\n" << kClassifyUsage;
    return 2;
  }
  auto analyzer = LoadAnalyzerOrReport(flags.Get("--lexicons"), argv0,
                                       "vigil classify", err);
  if (!analyzer) return 1;

  std::ifstream in_file;
  std::istream* input = &in;
  size_t input_size = 0;
  if (flags.Get("--input") != "-") {
    in_file.open(flags.Get("--input"), std::ios::binary);
    if (!in_file) {
      err << "vigil classify: cannot open " << flags.Get("--input") << "\n";
      return 1;
    }
    in_file.seekg(0, std::ios::end);
    input_size = static_cast<size_t>(in_file.tellg());
    in_file.seekg(0);
    input = &in_file;
  }
  std::ofstream out_file;
  std::ostream* output = &out;
  if (flags.Get("--output") != "-") {
    out_file.open(flags.Get("--output"), std::ios::binary | std::ios::trunc);
    if (!out_file) {
      err << "vigil classify: cannot write " << flags.Get("--output") << "\n";
      return 1;
    }
    output = &out_file;
  }

  // A progress bar only where someone can see it, for files of known size.
  const bool progress = input_size > 0 && isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  auto last_draw = start;
  size_t rows = 0, errors = 0, flagged = 0, bytes_read = 0, text_bytes = 0;
  // Rounds of up to kRoundRows rows: read, classified by `threads` threads
  // (a contiguous share each), written in input order.
  constexpr size_t kRoundRows = 4096;
  std::vector<std::string> lines(kRoundRows);
  std::vector<ClassifiedRow> results(kRoundRows);
  bool more = true;
  while (more) {
    size_t n = 0;
    while (n < kRoundRows && std::getline(*input, lines[n])) {
      bytes_read += lines[n].size() + 1;
      if (!lines[n].empty() && lines[n].back() == '\r') lines[n].pop_back();
      ++n;
    }
    more = n == kRoundRows;
    const auto classify = [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        ClassifyRow(*analyzer, lines[i], &results[i]);
      }
    };
    const size_t workers = std::min<size_t>(threads, (n + 63) / 64);
    std::vector<std::thread> pool;
    for (size_t w = 1; w < workers; ++w) {
      pool.emplace_back(classify, n * w / workers, n * (w + 1) / workers);
    }
    classify(0, workers > 1 ? n / workers : n);
    for (std::thread& t : pool) t.join();
    for (size_t i = 0; i < n; ++i) {
      const ClassifiedRow& r = results[i];
      ++rows;
      text_bytes += r.text_bytes;
      flagged += r.flagged;
      errors += r.error;
      output->write(r.line.data(), static_cast<std::streamsize>(r.line.size()));
    }
    if (progress) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_draw > std::chrono::milliseconds(200)) {
        last_draw = now;
        const double frac = static_cast<double>(bytes_read) / input_size;
        const int width = 40;
        const int filled = static_cast<int>(frac * width);
        err << "\r[" << std::string(filled, '#')
            << std::string(width - std::min(filled, width), ' ') << "] "
            << static_cast<int>(frac * 100) << "% " << rows << " rows"
            << std::flush;
      }
    }
  }
  output->flush();
  if (!*output) {
    err << "vigil classify: error writing output\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (progress) err << "\r" << std::string(60, ' ') << "\r";
  err << "vigil classify: " << rows << " rows, " << flagged << " flagged, "
      << errors << " errors in " << std::fixed << std::setprecision(2)
      << seconds << " s (" << std::setprecision(1)
      << (seconds > 0 ? text_bytes / seconds / 1e6 : 0) << " MB/s of text)\n";
  return 0;
}

}  // namespace vigil::cli
