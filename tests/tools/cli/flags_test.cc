// The subcommands' flag parser: whole-number flags within their range, and
// the usage error every command prints before exiting 2.
#include "tools/cli/flags.h"

#include <gtest/gtest.h>

#include <sstream>

namespace vigil::cli {
namespace {

TEST(FlagsTest, WholeNumbersWithinTheirRange) {
  struct Case {
    std::string value;
    bool ok;
    int expected;  // when ok
  };
  const Case kCases[] = {
      {"1", true, 1},
      {"600", true, 600},
      {"0", false, 0},
      {"601", false, 0},
      {"-5", false, 0},
      {"12x", false, 0},
      {" 7", false, 0},
      {"", true, 42},  // an empty value: default kept
      {"99999999999999999999", false, 0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE("value '" + c.value + "'");
    ParsedFlags flags = ParseFlags({"--n", c.value}, {"--n"}, {});
    int n = 42;
    EXPECT_EQ(flags.GetWholeNumber("--n", 1, 600, &n), c.ok);
    if (c.ok) {
      EXPECT_EQ(n, c.expected);
      EXPECT_EQ(flags.error, "");
    } else {
      EXPECT_EQ(n, 42);  // untouched
      EXPECT_EQ(flags.error, "--n takes a whole number from 1 to 600");
    }
  }
  // An absent flag keeps the default.
  ParsedFlags none = ParseFlags({}, {"--n"}, {});
  int n = 7;
  EXPECT_TRUE(none.GetWholeNumber("--n", 1, 600, &n));
  EXPECT_EQ(n, 7);
}

TEST(FlagsTest, TheFirstErrorIsReported) {
  ParsedFlags flags = ParseFlags({"--a", "x", "--b", "y"}, {"--a", "--b"}, {});
  int a = 0, b = 0;
  EXPECT_FALSE(flags.GetWholeNumber("--a", 1, 9, &a));
  EXPECT_FALSE(flags.GetWholeNumber("--b", 1, 9, &b));
  EXPECT_EQ(flags.error, "--a takes a whole number from 1 to 9");
}

TEST(FlagsTest, UsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string printed;  // empty: no error
  };
  const Case kCases[] = {
      {{"--n", "3"}, ""},
      {{"--bogus"}, "vigil demo: unknown argument '--bogus'\nusage: demo\n"},
      {{"extra"}, "vigil demo: unexpected argument\nusage: demo\n"},
      {{"--n"}, "vigil demo: --n needs a value\nusage: demo\n"},
  };
  for (const Case& c : kCases) {
    ParsedFlags flags = ParseFlags(c.args, {"--n"}, {});
    std::ostringstream err;
    EXPECT_EQ(flags.ReportUsageError("demo", "usage: demo\n", err),
              !c.printed.empty());
    EXPECT_EQ(err.str(), c.printed);
  }
}

}  // namespace
}  // namespace vigil::cli
