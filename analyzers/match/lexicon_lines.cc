#include "analyzers/match/lexicon_lines.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "analyzers/match/lexicon.h"

namespace vigil::match {

bool ReadFile(const std::string& path, std::string* contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  *contents = buffer.str();
  return true;
}

uint64_t Fnv1a(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end && std::isfinite(*out);
}

std::vector<Line> ContentLines(std::string_view contents) {
  std::vector<Line> lines;
  int number = 0;
  for (std::string_view line : SplitChar(contents, '\n')) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    lines.push_back({number, line});
  }
  return lines;
}

void Problems::Add(std::string where, std::string message) {
  if (count_ == 0) first_ = where + ": " + message;
  ++count_;
  if (sink_ != nullptr)
    sink_->push_back({std::move(where), std::move(message)});
}

absl::Status Problems::ToStatus() const {
  if (count_ == 0) return absl::OkStatus();
  std::string msg = first_;
  if (count_ > 1) msg += StrCat(" (and ", count_ - 1, " more problems)");
  return absl::InvalidArgumentError(msg);
}

bool CheckHeader(const std::vector<Line>& lines, const std::string& name,
                 bool header_ok, const std::string& expected,
                 Problems& problems) {
  if (lines.empty() || !header_ok) {
    problems.Add(lines.empty() ? name : StrCat(name, ":", lines[0].number),
                 StrCat("the first line must be '", expected, "'"));
  }
  return !lines.empty();
}

bool FirstSeen::Add(const std::string& key, const std::string& where,
                    std::string_view what, Problems& problems) {
  auto [it, inserted] = where_.emplace(key, where);
  if (!inserted) {
    problems.Add(where, StrCat("duplicate ", what, " '", key, "' (first at ",
                               it->second, ")"));
  }
  return inserted;
}

}  // namespace vigil::match
