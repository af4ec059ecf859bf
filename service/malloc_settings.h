// How the server sets glibc's malloc up for a long run.
//
// glibc serves a block above its mmap threshold with mmap, and gives it back
// to the system on free; smaller blocks come from its heaps, where freed
// pages mostly stay resident. The threshold starts at 128 KiB and, by
// default, rises to the size of any mmapped block freed (up to 32 MiB). A
// lexicon reload frees a whole snapshot (tries, term tables and hash tables
// of megabytes each), so after the first reload those tables came from the
// heaps, and each reload left the old snapshot's pages scattered among live
// ones: measured in tools/soak.sh on SQLite (a reload a minute), RSS went
// from 261 to 457 MiB in 8 minutes by default, and stayed between 171 and
// 224 MiB with the threshold fixed at 256 KiB (BENCHMARKS.md).
//
// Thread safety: call once, before the server's threads start.
#ifndef VIGIL_SERVICE_MALLOC_SETTINGS_H_
#define VIGIL_SERVICE_MALLOC_SETTINGS_H_

#include <cstddef>

namespace vigil::service {

// The mmap threshold vigil serve fixes (dynamic adjustment off).
inline constexpr size_t kMmapThreshold = 256 << 10;

// Fixes the mmap threshold at kMmapThreshold, unless the environment sets
// malloc's tunables (GLIBC_TUNABLES or MALLOC_MMAP_THRESHOLD_), which then
// win. Returns whether it changed anything.
bool ConfigureMalloc();

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_MALLOC_SETTINGS_H_
