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
#include <cstdint>
#include <functional>

namespace vigil::service {

// The mmap threshold vigil serve fixes (dynamic adjustment off).
inline constexpr size_t kMmapThreshold = 256 << 10;

// Fixes the mmap threshold at kMmapThreshold, unless the environment sets
// malloc's tunables (GLIBC_TUNABLES or MALLOC_MMAP_THRESHOLD_), which then
// win. Returns whether it changed anything.
bool ConfigureMalloc();

// Gives the heaps' free pages back to the system (malloc_trim) once the
// server has gone quiet after work. Under load, freed memory stays in
// glibc's per-thread arenas for reuse: after tools/loadtest.sh the server
// held about 200 MiB, 48 MiB of it free pages a trim returned. Trimming
// walks every arena under its lock, so it waits for a tick in which no
// call finished. A stream counts when it ends: a long stream alone can
// see one trim (each arena locked while it is walked) while it runs.
//
//   IdleTrimmer trimmer;
//   every few seconds: trimmer.Tick(CallsFinished());
//
// Thread safety: Tick from one thread (the server's maintenance loop).
class IdleTrimmer {
 public:
  // `trim` releases the memory; malloc_trim(0) by default.
  explicit IdleTrimmer(std::function<void()> trim = nullptr);

  // `calls_finished`: calls finished so far (a count that only grows).
  // Trims when it has not moved since the previous Tick but moved since
  // the last trim: once per quiet spell that follows work. Returns whether
  // it trimmed.
  bool Tick(uint64_t calls_finished);

 private:
  std::function<void()> trim_;
  uint64_t previous_ = 0;
  uint64_t at_last_trim_ = 0;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_MALLOC_SETTINGS_H_
