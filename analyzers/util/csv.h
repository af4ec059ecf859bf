// A small RFC 4180 CSV reader (quoted fields, "" escapes, newlines inside
// quotes), for the labeled datasets vigil evaluates on.
#ifndef VIGIL_ANALYZERS_UTIL_CSV_H_
#define VIGIL_ANALYZERS_UTIL_CSV_H_

#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// All rows of `data`, the header included. Thread-safe (pure).
std::vector<std::vector<std::string>> ParseCsv(std::string_view data);

// Index of `column` in `header`, or -1.
int CsvColumn(const std::vector<std::string>& header, std::string_view column);

}  // namespace vigil

#endif  // VIGIL_ANALYZERS_UTIL_CSV_H_
