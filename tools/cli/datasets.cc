#include "tools/cli/datasets.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/status/status.h"
#include "analyzers/match/category.h"
#include "analyzers/util/csv.h"
#include "analyzers/util/strings.h"

namespace vigil::cli {
namespace {

void Problem(std::vector<std::string>* problems, const std::string& path,
             int line, const std::string& what) {
  if (problems != nullptr) {
    problems->push_back(StrCat(path, ":", line, ": ", what));
  }
}

absl::Status ReadSynthetic(const std::string& data, Dataset* d,
                           std::vector<std::string>* problems) {
  std::istringstream in(data);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    DatasetRow row;
    row.line = number;
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      row.text = j.at("text").get<std::string>();
      for (const auto& c : j.at("categories")) {
        const auto category = match::ParseCategory(c.get<std::string>());
        if (!category) throw std::runtime_error("unknown category");
        row.categories |= 1u << static_cast<int>(*category);
      }
      row.hard_negative = j.value("kind", "") == "hard_negative";
    } catch (const std::exception& e) {
      Problem(problems, d->path, number, StrCat("skipped: ", e.what()));
      ++d->skipped;
      continue;
    }
    d->rows.push_back(std::move(row));
  }
  return absl::OkStatus();
}

}  // namespace

bool MayTeach(const std::string& format) {
  return format == "vihos" || format == "thienit84" || format == "synthetic";
}

absl::StatusOr<Dataset> ReadDataset(const std::string& path,
                                    const std::string& format,
                                    std::vector<std::string>* problems) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(StrCat(path, ": cannot open"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string data = buffer.str();
  Dataset d;
  d.path = path;
  const bool jsonl =
      path.size() > 6 && path.substr(path.size() - 6) == ".jsonl";
  if (format == "synthetic" || (format.empty() && jsonl)) {
    d.format = "synthetic";
    absl::Status s = ReadSynthetic(data, &d, problems);
    if (!s.ok()) return s;
    return d;
  }
  std::vector<std::vector<std::string>> rows = ParseCsv(data);
  if (rows.empty()) return absl::InvalidArgumentError(StrCat(path, ": empty"));
  struct Shape {
    const char* format;
    const char* text;
    const char* label;
  };
  constexpr Shape kShapes[] = {{"vihos", "content", "index_spans"},
                               {"vihsd", "free_text", "label_id"},
                               {"thienit84", "input_text", "label"},
                               {"victsd", "Comment", "Toxicity"}};
  int ti = -1, li = -1;
  for (const Shape& shape : kShapes) {
    if (!format.empty() && format != shape.format) continue;
    ti = CsvColumn(rows[0], shape.text);
    li = CsvColumn(rows[0], shape.label);
    if (ti >= 0 && li >= 0) {
      d.format = shape.format;
      break;
    }
  }
  if (d.format.empty()) {
    return absl::InvalidArgumentError(StrCat(
        path, ": not a known dataset (", format.empty() ? "any" : format,
        "): expected columns content+index_spans (vihos), free_text+label_id "
        "(vihsd), input_text+label (thienit84), Comment+Toxicity (victsd), "
        "or a .jsonl file (synthetic)"));
  }
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::vector<std::string>& cols = rows[r];
    const int line = static_cast<int>(r) + 1;
    if (static_cast<int>(cols.size()) <= std::max(ti, li)) {
      Problem(problems, path, line, "too few columns; skipped");
      ++d.skipped;
      continue;
    }
    DatasetRow row;
    row.line = line;
    row.text = cols[ti];
    const std::string& label = cols[li];
    if (d.format == "vihos") {
      try {
        for (const auto& v : nlohmann::json::parse(label)) {
          row.span_chars.push_back(v.get<long>());
        }
      } catch (const nlohmann::json::exception&) {
        Problem(problems, path, line,
                "index_spans is not a JSON list of integers; skipped");
        ++d.skipped;
        continue;
      }
      row.toxic = !row.span_chars.empty();
    } else if (d.format == "victsd") {
      if (label != "0" && label != "1") {
        Problem(problems, path, line, "Toxicity is not 0 or 1; skipped");
        ++d.skipped;
        continue;
      }
      row.toxic = label == "1";
    } else {
      if (label != "0" && label != "1" && label != "2") {
        Problem(problems, path, line,
                StrCat("label '", label, "' is not 0, 1 or 2; skipped"));
        ++d.skipped;
        continue;
      }
      row.vihsd_label = label[0] - '0';
      row.toxic = row.vihsd_label > 0;
      if (d.format == "thienit84") {
        // "title </s> comment": the label is the comment's.
        const size_t sep = row.text.find("</s>");
        if (sep != std::string::npos) {
          std::string_view c = std::string_view(row.text).substr(sep + 4);
          while (!c.empty() && (c.front() == ' ' || c.front() == '\t')) {
            c.remove_prefix(1);
          }
          while (!c.empty() && (c.back() == ' ' || c.back() == '\t')) {
            c.remove_suffix(1);
          }
          row.text = std::string(c);
        }
      }
    }
    d.rows.push_back(std::move(row));
  }
  return d;
}

}  // namespace vigil::cli
