// TeencodeTable: the project's curated table of Vietnamese teencode and
// abbreviations ("ko" → "không", "ntn" → "như thế nào", "ck" → ambiguous).
//
// File format (lexicons/teencode.tsv, documented in lexicons/README.md):
//   # comment
//   surface<TAB>expansion[|alternative...][<TAB>flag[<TAB>note]]
// flag is "-" or "ambiguous"; several alternatives require "ambiguous".
// Surfaces are lowercase NFC tokens of letters and digits, unique, with
// old-style tone placement; expansions are lowercase NFC syllables separated
// by single spaces.
//
// Thread safety: immutable after Load()/Parse(); share freely.
#ifndef VIGIL_ANALYZERS_NORMALIZE_TEENCODE_H_
#define VIGIL_ANALYZERS_NORMALIZE_TEENCODE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vigil::normalize {

class TeencodeTable {
 public:
  struct Entry {
    std::string surface;
    // Readings, preferred first; each is syllables separated by ' '.
    std::vector<std::string> expansions;
    bool ambiguous = false;
    std::string note;
    int line = 0;  // 1-based line in the source file
  };

  TeencodeTable() = default;

  // Reads and parses `path`. Errors name "path:line: what is wrong".
  static absl::StatusOr<TeencodeTable> Load(const std::string& path);

  // Parses `contents`; `source_name` prefixes error messages.
  static absl::StatusOr<TeencodeTable> Parse(std::string_view contents,
                                             std::string_view source_name);

  // Index of the entry whose surface is `surface`, or -1.
  int32_t Find(std::string_view surface) const {
    auto it = index_.find(absl::string_view(surface.data(), surface.size()));
    return it == index_.end() ? -1 : it->second;
  }
  const Entry& entry(int32_t i) const { return entries_[i]; }
  size_t size() const { return entries_.size(); }

  // A fast pre-check before Find() on a word given as code points: false
  // means no surface is that word; true may be a false positive (~1%).
  bool MayContain(std::u32string_view word) const {
    const uint32_t h = FilterSlot(word);
    return (filter_[h >> 6] >> (h & 63)) & 1;
  }

 private:
  static uint32_t FilterSlot(std::u32string_view word) {
    uint32_t h = 2166136261u;  // FNV-1a over code points
    for (char32_t c : word) h = (h ^ c) * 16777619u;
    return h >> (32 - kFilterBits);
  }
  static constexpr int kFilterBits = 16;

  std::vector<Entry> entries_;
  std::array<uint64_t, (1 << kFilterBits) / 64> filter_{};
  absl::flat_hash_map<std::string, int32_t> index_;
};

}  // namespace vigil::normalize

#endif  // VIGIL_ANALYZERS_NORMALIZE_TEENCODE_H_
