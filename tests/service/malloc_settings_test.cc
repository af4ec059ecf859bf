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

}  // namespace
}  // namespace vigil::service
