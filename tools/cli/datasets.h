// Labeled datasets for `vigil train` and `vigil eval`: one reader for every
// format in ../shared/data (see its README), told apart by their columns.
//
//   absl::StatusOr<Dataset> d = ReadDataset("../shared/data/vihsd/dev.csv");
//   for (const DatasetRow& row : d->rows) row.text, row.vihsd_label;
//
// | format    | columns / fields                    | labels |
// |-----------|-------------------------------------|--------------------------|
// | vihos     | content, index_spans                | toxic = has spans; spans
// | | vihsd     | free_text, label_id                 | 0 clean 1 offensive 2
// hate | | thienit84 | input_text ("title </s> comment"), label | as vihsd;
// text = comment | | victsd    | Comment, Toxicity                   | toxic
// 0/1                | | synthetic | JSONL: text, categories, kind       |
// categories per post      |
//
// Whether a format may teach shipped weights is a fact of its license,
// kept here once (MayTeach): ViHSD and ViCTSD are for measuring only.
#ifndef VIGIL_TOOLS_CLI_DATASETS_H_
#define VIGIL_TOOLS_CLI_DATASETS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace vigil::cli {

struct DatasetRow {
  std::string text;
  int line = 0;                  // 1-based row (CSV record or JSONL line)
  int vihsd_label = -1;          // 0/1/2 where the source labels three classes
  int toxic = -1;                // 0/1 where known
  std::vector<long> span_chars;  // vihos: labeled code-point indexes
  uint32_t categories = 0;       // synthetic: bit i = match::Category i
  bool hard_negative = false;    // synthetic
};

struct Dataset {
  std::string path;
  std::string format;  // vihos, vihsd, thienit84, victsd, synthetic
  std::vector<DatasetRow> rows;
  size_t skipped = 0;  // malformed rows (reported through `problems`)
};

// Reads `path`; `format` empty = told by the columns. Malformed rows are
// skipped and each is described in `problems` (path:row: what) when not
// null; a file that cannot be read or has none of the known shapes is an
// error.
absl::StatusOr<Dataset> ReadDataset(
    const std::string& path, const std::string& format = "",
    std::vector<std::string>* problems = nullptr);

// May the format's rows teach shipped weights (their license allows it)?
bool MayTeach(const std::string& format);

}  // namespace vigil::cli

#endif  // VIGIL_TOOLS_CLI_DATASETS_H_
