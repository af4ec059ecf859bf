// Memory for the large tables the analyze path reads at random: the syllable
// tries and dictionaries, the language model's hash maps, the per-thread
// word memo.
//
// Those reads miss the cache by design (a post touches a few dozen entries
// scattered over megabytes), and with 4 KiB pages most of them also miss the
// TLB: under a hypervisor a TLB miss is a two-dimensional page walk that
// can cost more than the cache miss itself. Debian's kernel offers
// transparent huge pages on request only (`madvise` mode), so glibc's heap
// never gets them. HugePageAllocator maps each allocation of at least
// kHugePageBytes on its own, aligned to a huge page, and asks for huge
// pages with madvise(MADV_HUGEPAGE); smaller ones come from operator new.
// The advice is only advice: where the kernel declines (huge pages off,
// memory fragmented) the table is on ordinary pages and works the same.
//
// Example:
//   std::vector<Slot, HugePageAllocator<Slot>> slots(1 << 20);
//   HugePageHashMap<uint64_t, int64_t> pairs;
//
// Thread safety: the functions and the allocator are thread-safe (mmap,
// munmap and operator new are).
#ifndef VIGIL_ANALYZERS_UTIL_HUGE_PAGES_H_
#define VIGIL_ANALYZERS_UTIL_HUGE_PAGES_H_

#include <cstddef>
#include <new>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace vigil {

// A transparent huge page on x86-64 and on most arm64 kernels.
inline constexpr size_t kHugePageBytes = size_t{2} << 20;

// `bytes` of memory aligned to `alignment` (a power of two, at most
// kHugePageBytes). At least kHugePageBytes: its own mapping, aligned to a
// huge page and advised MADV_HUGEPAGE; less: operator new. Throws
// std::bad_alloc when there is no memory, as operator new does.
void* AllocateForRandomReads(size_t bytes, size_t alignment);
// Frees what AllocateForRandomReads(bytes, alignment) returned.
void FreeForRandomReads(void* p, size_t bytes, size_t alignment) noexcept;

// A standard allocator over AllocateForRandomReads, for containers of
// large tables read at random. Stateless: all instances are equal.
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT
  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(AllocateForRandomReads(n * sizeof(T), alignof(T)));
  }
  void deallocate(T* p, size_t n) noexcept {
    FreeForRandomReads(p, n * sizeof(T), alignof(T));
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

// A vector for a large table read at random.
template <typename T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

// An absl::flat_hash_map (default hash and equality, so string keys take
// string_view lookups) for a large table read at random.
template <typename K, typename V>
using HugePageHashMap =
    absl::flat_hash_map<K, V, absl::container_internal::hash_default_hash<K>,
                        absl::container_internal::hash_default_eq<K>,
                        HugePageAllocator<std::pair<const K, V>>>;

}  // namespace vigil

#endif  // VIGIL_ANALYZERS_UTIL_HUGE_PAGES_H_
