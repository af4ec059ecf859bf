// ConfigureMalloc: blocks above the threshold stay mmapped (so freeing them
// gives their memory back) even after a larger block was freed, which by
// default raises glibc's threshold to that block's size.
#include "service/malloc_settings.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace vigil::service {
namespace {

TEST(MallocSettingsTest, BlocksAboveTheThresholdStayMmapped) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer replaces malloc";
#endif
  if (std::getenv("GLIBC_TUNABLES") != nullptr ||
      std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) {
    GTEST_SKIP() << "malloc's tunables are set in the environment";
  }
  ASSERT_TRUE(ConfigureMalloc());
  // A freed 8 MiB block (mmapped) would raise a dynamic threshold to 8 MiB.
  void* big = std::malloc(8 << 20);
  ASSERT_NE(big, nullptr);
  std::memset(big, 1, 8 << 20);
  std::free(big);
  const size_t mmapped = mallinfo2().hblks;
  void* block = std::malloc(2 * kMmapThreshold);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(mallinfo2().hblks, mmapped + 1);
  std::free(block);
  EXPECT_EQ(mallinfo2().hblks, mmapped);
}

// Trims once per quiet spell that follows work: never while the count of
// finished calls moves, never twice in one quiet spell, never before any
// work.
TEST(IdleTrimmerTest, TrimsOnceWhenTheServerGoesQuietAfterWork) {
  int trims = 0;
  IdleTrimmer trimmer([&trims] { ++trims; });
  struct Step {
    uint64_t finished;
    bool trims;
  };
  const Step kSteps[] = {
      {0, false},   // started, nothing done
      {0, false},   // quiet, but nothing to give back
      {40, false},  // under load
      {95, false},  // still under load
      {95, true},   // quiet after work: trim
      {95, false},  // still quiet: already trimmed
      {96, false},  // one call
      {96, true},   // quiet again
      {96, false},
  };
  int expected = 0;
  for (const Step& step : kSteps) {
    EXPECT_EQ(trimmer.Tick(step.finished), step.trims)
        << "at " << step.finished;
    expected += step.trims;
    EXPECT_EQ(trims, expected);
  }
}

}  // namespace
}  // namespace vigil::service
