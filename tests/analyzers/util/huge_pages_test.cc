// The allocator for tables read at random: large tables are their own
// huge-page-aligned mappings and get huge pages where the kernel offers
// them on request; small ones come from operator new.
#include "analyzers/util/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>

namespace vigil {
namespace {

// The kernel's transparent huge page mode: "always", "madvise" or "never"
// (the bracketed word of the sysfs file), or "" when there is none.
std::string ThpMode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  std::getline(in, line);
  const size_t open = line.find('['), close = line.find(']');
  if (open == std::string::npos || close == std::string::npos) return "";
  return line.substr(open + 1, close - open - 1);
}

// AnonHugePages of the mapping that contains `p`, in KiB (from
// /proc/self/smaps), or -1 when no mapping contains it.
int64_t HugePagesKibAt(const void* p) {
  const uintptr_t address = reinterpret_cast<uintptr_t>(p);
  std::ifstream in("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= address && address < end;
      continue;
    }
    if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      return std::stoll(line.substr(14));
    }
  }
  return -1;
}

TEST(HugePagesTest, LargeTablesStartOnAHugePage) {
  HugePageVector<int64_t> table(3 * kHugePageBytes / sizeof(int64_t) + 5);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(table.data()) % kHugePageBytes, 0u);
  std::iota(table.begin(), table.end(), 0);
  EXPECT_EQ(std::accumulate(table.begin(), table.end(), int64_t{0}),
            static_cast<int64_t>(table.size()) *
                static_cast<int64_t>(table.size() - 1) / 2);
}

TEST(HugePagesTest, SmallTablesKeepTheirAlignment) {
  struct alignas(64) Line {
    char bytes[64];
  };
  HugePageVector<Line> small(3);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small.data()) % 64, 0u);
  HugePageVector<char> tiny(1);
  tiny[0] = 'x';
  EXPECT_EQ(tiny[0], 'x');
}

TEST(HugePagesTest, GrowingAndCopyingKeepTheContents) {
  HugePageVector<int32_t> v;
  for (int32_t i = 0; i < 1'000'000; ++i) v.push_back(i);  // crosses 2 MiB
  HugePageVector<int32_t> copy = v;
  v.clear();
  v.shrink_to_fit();
  ASSERT_EQ(copy.size(), 1'000'000u);
  EXPECT_EQ(copy[999'999], 999'999);
  HugePageHashMap<std::string, int32_t> ids;
  for (int32_t i = 0; i < 200'000; ++i) ids.emplace(std::to_string(i), i);
  EXPECT_EQ(ids.at("123456"), 123456);
  EXPECT_EQ(ids.find(absl::string_view("199999"))->second, 199999);
}

TEST(HugePagesTest, TheKernelIsAskedForHugePages) {
  const std::string mode = ThpMode();
  if (mode != "madvise" && mode != "always") {
    GTEST_SKIP() << "this kernel offers no transparent huge pages (mode '"
                 << mode << "')";
  }
  HugePageVector<char> table(4 * kHugePageBytes);
  for (size_t i = 0; i < table.size(); i += 4096) table[i] = 1;
  // In "madvise" mode only the advice gives huge pages; the kernel may
  // still fall back to small ones when memory is fragmented, but then not
  // for all four.
  EXPECT_GT(HugePagesKibAt(table.data()), 0)
      << "no huge page backs a touched 8 MiB table (THP mode " << mode << ")";
}

}  // namespace
}  // namespace vigil
