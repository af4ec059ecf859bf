// A per-thread memo of normalized words. A word's normalization depends only
// on its own bytes (the property test checks exactly this), and posts repeat
// the same few thousand syllables, so the normalizer replays the memo instead
// of redoing the work. Direct-mapped: a slot is overwritten on collision.
// Slots are tagged with the id of the Normalizer that wrote them, so two
// normalizers (other teencode tables) on one thread never share results.
//
// Thread safety: ForThread() returns the calling thread's own memo.
#ifndef VIGIL_ANALYZERS_NORMALIZE_WORD_MEMO_H_
#define VIGIL_ANALYZERS_NORMALIZE_WORD_MEMO_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "analyzers/util/huge_pages.h"

namespace vigil::normalize {

struct WordMemo {
  static constexpr size_t kSlots = 32768;  // 2 MiB, one cache line a slot
  static constexpr size_t kMaxKey = 16;    // longest word remembered, bytes
  static constexpr size_t kMaxText = 33;   // canonical + folded bytes
  struct alignas(64) Slot {
    uint32_t owner = 0;  // Normalizer id; 0: empty
    uint16_t steps = 0;
    int16_t ambiguous_teencode = -1;
    int16_t expansion = -1;  // teencode entry expanded, or -1
    uint8_t key_len = 0;
    uint8_t canonical_len = 0;
    uint8_t folded_len = 0;
    bool accented = false;
    bool counted = false;  // counts toward words() / accented_words()
    char key[kMaxKey];
    char text[kMaxText];  // canonical, then folded
  };
  static_assert(sizeof(Slot) == 64);
  HugePageVector<Slot> slots = HugePageVector<Slot>(kSlots);

  static WordMemo& ForThread() {
    thread_local WordMemo memo;
    return memo;
  }
  // The slot `key` (at most kMaxKey bytes) maps to; the caller compares
  // owner and key to tell a hit from a collision.
  Slot& SlotFor(std::string_view key) {
    // Words are short: a multiplicative hash over 8-byte chunks is enough.
    uint64_t h = key.size() * 0x9E3779B97F4A7C15ull;
    size_t k = 0;
    for (; k + 8 <= key.size(); k += 8) {
      uint64_t chunk;
      std::memcpy(&chunk, key.data() + k, 8);
      h = (h ^ chunk) * 0xBF58476D1CE4E5B9ull;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, key.data() + k, key.size() - k);
    h = (h ^ tail) * 0x94D049BB133111EBull;
    return slots[(h >> 40) & (kSlots - 1)];
  }
};

}  // namespace vigil::normalize

#endif  // VIGIL_ANALYZERS_NORMALIZE_WORD_MEMO_H_
