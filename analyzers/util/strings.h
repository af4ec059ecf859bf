// Small string helpers over std::string_view.
//
// Debian's Abseil is built with its own absl::string_view (not an alias of
// std::string_view), so absl's string utilities do not accept
// std::string_view; vigil uses these instead. Thread-safe (pure functions).
#ifndef VIGIL_ANALYZERS_UTIL_STRINGS_H_
#define VIGIL_ANALYZERS_UTIL_STRINGS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace vigil {

// Splits `s` at every `sep`; empty pieces are kept ("a||b" → a, "", b).
inline std::vector<std::string_view> SplitChar(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

namespace strings_internal {
inline void AppendPiece(std::string& out, std::string_view s) { out.append(s); }
inline void AppendPiece(std::string& out, const char* s) { out.append(s); }
inline void AppendPiece(std::string& out, const std::string& s) {
  out.append(s);
}
inline void AppendPiece(std::string& out, char c) { out.push_back(c); }
template <typename Int, typename = std::enable_if_t<std::is_integral_v<Int> &&
                                                    !std::is_same_v<Int, char>>>
inline void AppendPiece(std::string& out, Int i) {
  out.append(std::to_string(i));
}
}  // namespace strings_internal

// Concatenates strings, string_views, chars and integers.
template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (strings_internal::AppendPiece(out, args), ...);
  return out;
}

}  // namespace vigil

#endif  // VIGIL_ANALYZERS_UTIL_STRINGS_H_
