// A post decoded into code points, each remembering the byte offset of its
// first byte in the original and its CharClass: pass 1 of the normalizer
// (normalizer.cc explains the two passes). The token scanners and the word
// steps read this array; its index is the code-point offset tokens report.
//
// Example:
//   CodePointBuffer buffer;
//   uint32_t invalid = 0;
//   CodePoints cps = DecodeUtf8("chào bạn", buffer, &invalid);
//   cps.Size();   // 8 code points; index 8 is an end sentinel (kSpace)
//   cps.Byte(5);  // 6: "b" starts after "chào " (à takes 2 bytes)
//
// Thread safety: a CodePointBuffer and the CodePoints view over it belong to
// one thread at a time.
#ifndef VIGIL_ANALYZERS_NORMALIZE_CODE_POINTS_H_
#define VIGIL_ANALYZERS_NORMALIZE_CODE_POINTS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "analyzers/normalize/char_class.h"

namespace vigil::normalize {

// One decoded code point of the original post.
struct CodePoint {
  uint32_t packed;  // the code point in bits 0-23, its CharClass in 24-31
  uint32_t byte;    // offset of its first byte
};

// A growable array of CodePoint that is never initialized, so that one
// buffer reused per thread costs no allocation and no zeroing per post.
struct CodePointBuffer {
  std::unique_ptr<CodePoint[]> data;
  size_t capacity = 0;
  size_t size = 0;
  // Room for at least `n` code points; the old contents are lost if it grows.
  CodePoint* Reserve(size_t n);
};

// A read-only view of a decoded post: code points [0, Size()) and an end
// sentinel at Size() (class kSpace, byte = the post's length), so scanners
// may look one past the last code point.
class CodePoints {
 public:
  CodePoints(const CodePoint* data, size_t size, const CharProps* table)
      : data_(data), size_(size), table_(table) {}

  // Number of code points, not counting the sentinel.
  size_t Size() const { return size_; }
  char32_t Cp(size_t i) const { return data_[i].packed & 0xFFFFFF; }
  CharClass Cls(size_t i) const {
    return static_cast<CharClass>(data_[i].packed >> 24);
  }
  uint32_t Byte(size_t i) const { return data_[i].byte; }
  const CharProps& Props(size_t i) const { return GetCharProps(table_, Cp(i)); }
  const CharProps* table() const { return table_; }
  // Letters, digits, combining marks and '_'.
  bool IsWordChar(size_t i) const {
    const CharClass cls = Cls(i);
    return cls == CharClass::kLetter || cls == CharClass::kDigit ||
           cls == CharClass::kMark || Cp(i) == U'_';
  }

 private:
  const CodePoint* data_;
  size_t size_;
  const CharProps* table_;
};

// Decodes `post` into `buffer` (replacing its contents) and returns the view
// over it. Each ill-formed UTF-8 sequence becomes U+FFFD and adds one to
// `*invalid`. `post` must be shorter than 2^31 bytes.
CodePoints DecodeUtf8(std::string_view post, CodePointBuffer& buffer,
                      uint32_t* invalid);

}  // namespace vigil::normalize

#endif  // VIGIL_ANALYZERS_NORMALIZE_CODE_POINTS_H_
