#include "analyzers/normalize/code_points.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <array>

namespace vigil::normalize {
namespace {

constexpr CodePoint MakeCodePoint(char32_t c, uint32_t byte, CharClass cls) {
  return {c | (static_cast<uint32_t>(cls) << 24), byte};
}

// Classes of the ASCII code points, the common case.
const std::array<CharClass, 128>& AsciiClasses() {
  static const std::array<CharClass, 128> classes = [] {
    std::array<CharClass, 128> a;
    const CharProps* table = CharTable();
    for (char32_t c = 0; c < 128; ++c) a[c] = table[c].cls;
    return a;
  }();
  return classes;
}

}  // namespace

CodePoint* CodePointBuffer::Reserve(size_t n) {
  if (n > capacity) {
    capacity = std::max(n, capacity * 2);
    data.reset(new CodePoint[capacity]);
  }
  return data.get();
}

CodePoints DecodeUtf8(std::string_view post, CodePointBuffer& buffer,
                      uint32_t* invalid) {
  const CharProps* table = CharTable();
  const auto* s = reinterpret_cast<const uint8_t*>(post.data());
  const int32_t n = static_cast<int32_t>(post.size());
  const std::array<CharClass, 128>& ascii = AsciiClasses();
  CodePoint* const begin = buffer.Reserve(post.size() + 1);  // >= 1 a byte
  CodePoint* out = begin;
  int32_t i = 0;
  while (i < n) {
    const int32_t start = i;
    if (s[i] < 0x80) {
      *out++ = MakeCodePoint(s[i], static_cast<uint32_t>(i), ascii[s[i]]);
      ++i;
      continue;
    }
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) {
      c = 0xFFFD;
      ++*invalid;
    }
    const char32_t cp = static_cast<char32_t>(c);
    *out++ = MakeCodePoint(cp, static_cast<uint32_t>(start),
                           GetCharProps(table, cp).cls);
  }
  *out++ = MakeCodePoint(0, static_cast<uint32_t>(n), CharClass::kSpace);
  buffer.size = out - begin;
  return CodePoints(begin, buffer.size - 1, table);
}

}  // namespace vigil::normalize
