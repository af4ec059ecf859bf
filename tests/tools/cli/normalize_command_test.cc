// End-to-end tests of `build/vigil normalize`, run as a subprocess.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/test_data.h"
#include "tests/tools/cli/run_vigil.h"

namespace {

using vigil::testing::Result;
using vigil::testing::RunVigil;

using ::testing::HasSubstr;

TEST(NormalizeCliTest, OneCanonicalLinePerInputLine) {
  Result r =
      RunVigil("normalize", "Ko đc đâuuuu\nhoà BÌNH\n\nđ\xE2\x80\x8Bụ\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "không được đâu\nhòa bình\n\nđụ\n");
}

TEST(NormalizeCliTest, FoldedView) {
  Result r = RunVigil("normalize --view folded", "Người Việt\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "nguoi viet\n");
}

TEST(NormalizeCliTest, JsonTokens) {
  Result r = RunVigil("normalize --json", "Ê kbt 50k\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["canonical"], "ê không biết 50k");
  EXPECT_EQ(j["folded"], "e khong biet 50k");
  EXPECT_EQ(j["unaccented"], false);
  ASSERT_EQ(j["tokens"].size(), 4u);
  EXPECT_EQ(j["tokens"][1]["text"], "không");
  EXPECT_EQ(j["tokens"][1]["kind"], "word");
  EXPECT_EQ(j["tokens"][1]["begin"], 3);
  EXPECT_EQ(j["tokens"][1]["end"], 6);
  EXPECT_EQ(j["tokens"][1]["begin_char"], 2);
  EXPECT_EQ(j["tokens"][1]["parts"], 2);
  EXPECT_EQ(j["tokens"][2]["text"], "biết");
  EXPECT_EQ(j["tokens"][2]["begin"], 3);
  EXPECT_EQ(j["tokens"][1]["steps"], nlohmann::json({"teencode"}));
  EXPECT_EQ(j["tokens"][3]["kind"], "number");
}

TEST(NormalizeCliTest, InvalidUtf8IsReplacedAndCounted) {
  Result r = RunVigil("normalize --json",
                      "a\xFF"
                      "b\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["invalid_utf8"], 1);
  EXPECT_EQ(j["canonical"], "a \xEF\xBF\xBD b");
}

TEST(NormalizeCliTest, UnknownFlagIsUsageError) {
  Result r = RunVigil("normalize --bogus", "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown argument '--bogus'"));
  EXPECT_TRUE(r.out.empty());
}

TEST(NormalizeCliTest, BadViewIsUsageError) {
  Result r = RunVigil("normalize --view sideways", "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--view takes 'canonical' or 'folded'"));
}

TEST(NormalizeCliTest, BrokenTeencodeFileNamesFileAndLine) {
  const std::string path = ::testing::TempDir() + "/bad_teencode_" +
                           std::to_string(getpid()) + ".tsv";
  std::ofstream(path) << "# ok\nko\tkhông\nKO\tkhông\n";
  Result r = RunVigil("normalize --teencode " + path, "ko\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(path + ":3: surface 'KO'"));
  EXPECT_TRUE(r.out.empty());
}

TEST(NormalizeCliTest, UnknownCommand) {
  Result r = RunVigil("frobnicate", "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command 'frobnicate'"));
}

}  // namespace
