#include "analyzers/util/huge_pages.h"

#include <sys/mman.h>

#include <cstdint>

namespace vigil {
namespace {

constexpr size_t kPageBytes = 4096;

size_t MappedBytes(size_t bytes) {
  return (bytes + kPageBytes - 1) / kPageBytes * kPageBytes;
}

}  // namespace

void* AllocateForRandomReads(size_t bytes, size_t alignment) {
  if (bytes < kHugePageBytes) {
    return ::operator new(bytes, std::align_val_t(alignment));
  }
  // Map a huge page more than needed, then unmap the ends so that what is
  // left starts on a huge-page boundary.
  const size_t size = MappedBytes(bytes);
  void* const raw = mmap(nullptr, size + kHugePageBytes, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const uintptr_t begin = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned =
      (begin + kHugePageBytes - 1) & ~uintptr_t{kHugePageBytes - 1};
  if (aligned > begin) munmap(raw, aligned - begin);
  const uintptr_t end = begin + size + kHugePageBytes;
  if (end > aligned + size) {
    munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  }
  void* const p = reinterpret_cast<void*>(aligned);
  // Advice: refused where the kernel has no transparent huge pages, and
  // then the memory is ordinary pages, which is fine.
  (void)madvise(p, size, MADV_HUGEPAGE);
  return p;
}

void FreeForRandomReads(void* p, size_t bytes, size_t alignment) noexcept {
  if (p == nullptr) return;
  if (bytes < kHugePageBytes) {
    ::operator delete(p, std::align_val_t(alignment));
    return;
  }
  munmap(p, MappedBytes(bytes));
}

}  // namespace vigil
