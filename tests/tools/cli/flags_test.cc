// The subcommands' flag parser: whole-number flags within their range, and
// the usage error every command prints before exiting 2.
#include "tools/cli/flags.h"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/tools/cli/run_vigil.h"

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
  flags.Fail("--c is wrong too");
  EXPECT_EQ(flags.error, "--a takes a whole number from 1 to 9");
  ParsedFlags unknown = ParseFlags({"--zz"}, {}, {});
  unknown.Fail("a later complaint");
  EXPECT_EQ(unknown.error, "unknown argument '--zz'");
}

TEST(FlagsTest, CommandsReportTheirFirstError) {
  struct Case {
    std::string args;
    std::string first;  // the error printed
  };
  // Each command's own checks come after parsing: an unknown flag found
  // first must not be replaced by a later complaint (these printed the
  // later one before).
  const Case kCases[] = {
      {"stats --frob --since junk", "vigil stats: unknown argument '--frob'"},
      {"loadgen --frob --mode junk --target 10.0.0.1:1",
       "vigil loadgen: unknown argument '--frob'"},
      {"loadgen --mode junk --target 10.0.0.1:1",
       "vigil loadgen: --mode takes trivial, unary, batch, stream or all"},
      {"serve --frob --log-level loud",
       "vigil serve: unknown argument '--frob'"},
      {"token --frob --role analyst --name a --expires someday",
       "vigil token: unknown argument '--frob'"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.args);
    const testing::Result r = testing::RunVigil(c.args, "");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err.substr(0, r.err.find('\n')), c.first);
  }
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
