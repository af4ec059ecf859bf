#include "analyzers/normalize/teencode.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "analyzers/normalize/vietnamese.h"
#include "analyzers/util/strings.h"

namespace vigil::normalize {
namespace {

// True when `s` is well-formed UTF-8 in NFC.
bool IsNfc(std::string_view s) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return false;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  std::string back;
  u.toUTF8String(back);
  if (back != s) return false;  // ill-formed bytes were replaced
  return nfc->isNormalized(u, status) && U_SUCCESS(status);
}

// Checks every code point of `s` with `ok`.
template <typename Pred>
bool AllCodePoints(std::string_view s, Pred ok) {
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
    if (c < 0 || !ok(c)) return false;
  }
  return true;
}

bool IsLowerAlnum(UChar32 c) {
  return (u_isalpha(c) && !u_isupper(c)) || u_isdigit(c);
}

// The surface as the normalizer would produce it before the lookup: tone
// marks in old-style places. Empty when the surface is already canonical.
std::string CanonicalSurface(std::string_view s) {
  std::u32string cps;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
    cps.push_back(static_cast<char32_t>(c));
  }
  if (!PlaceTone(cps.data(), static_cast<int>(cps.size()))) return "";
  std::string out;
  icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(cps.data()),
                                static_cast<int32_t>(cps.size()))
      .toUTF8String(out);
  return out;
}

absl::Status LineError(std::string_view source, int line,
                       std::string_view what) {
  return absl::InvalidArgumentError(StrCat(source, ":", line, ": ", what));
}

}  // namespace

absl::StatusOr<TeencodeTable> TeencodeTable::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(StrCat(path, ": cannot open teencode table"));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return Parse(buffer.str(), path);
}

absl::StatusOr<TeencodeTable> TeencodeTable::Parse(
    std::string_view contents, std::string_view source_name) {
  TeencodeTable table;
  int line_no = 0;
  for (std::string_view line : SplitChar(contents, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (!IsNfc(line)) {
      return LineError(source_name, line_no, "not valid UTF-8 in NFC");
    }
    std::vector<std::string_view> cols = SplitChar(line, '\t');
    if (cols.size() < 2 || cols.size() > 4) {
      return LineError(source_name, line_no,
                       StrCat("expected 2 to 4 tab-separated columns "
                              "(surface, expansion, flag, note), got ",
                              cols.size()));
    }
    Entry e;
    e.line = line_no;
    e.surface = std::string(cols[0]);
    if (e.surface.empty() || !AllCodePoints(e.surface, IsLowerAlnum)) {
      return LineError(source_name, line_no,
                       StrCat("surface '", e.surface,
                              "' must be lowercase letters and digits"));
    }
    if (std::string canonical = CanonicalSurface(e.surface);
        !canonical.empty()) {
      return LineError(source_name, line_no,
                       StrCat("surface '", e.surface,
                              "' is not in canonical form (tone marks go in "
                              "old-style places: '",
                              canonical, "')"));
    }
    for (std::string_view alt : SplitChar(cols[1], '|')) {
      bool ok =
          !alt.empty() && alt.front() != ' ' && alt.back() != ' ' &&
          alt.find("  ") == std::string_view::npos &&
          AllCodePoints(alt, [](UChar32 c) {
            return c == ' ' || (u_isalpha(c) && !u_isupper(c)) || u_isdigit(c);
          });
      if (!ok) {
        return LineError(
            source_name, line_no,
            StrCat("expansion '", alt,
                   "' must be lowercase syllables separated by single "
                   "spaces"));
      }
      if (alt == e.surface) {
        return LineError(source_name, line_no, "expansion equals the surface");
      }
      e.expansions.emplace_back(alt);
    }
    std::string_view flag = cols.size() >= 3 ? cols[2] : "-";
    if (flag == "ambiguous") {
      e.ambiguous = true;
    } else if (flag != "-") {
      return LineError(
          source_name, line_no,
          StrCat("unknown flag '", flag, "' (expected '-' or 'ambiguous')"));
    }
    if (e.expansions.size() > 1 && !e.ambiguous) {
      return LineError(source_name, line_no,
                       "several expansions require the 'ambiguous' flag");
    }
    if (cols.size() == 4) e.note = std::string(cols[3]);
    const int32_t index = static_cast<int32_t>(table.entries_.size());
    auto [it, inserted] = table.index_.emplace(e.surface, index);
    if (!inserted) {
      return LineError(
          source_name, line_no,
          StrCat("duplicate surface '", e.surface, "' (first on line ",
                 table.entries_[it->second].line, ")"));
    }
    std::u32string cps;
    AllCodePoints(e.surface, [&cps](UChar32 c) {
      cps.push_back(static_cast<char32_t>(c));
      return true;
    });
    const uint32_t slot = FilterSlot(cps);
    table.filter_[slot >> 6] |= uint64_t{1} << (slot & 63);
    table.entries_.push_back(std::move(e));
  }
  return table;
}

}  // namespace vigil::normalize
