#include "analyzers/normalize/teencode.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analyzers/normalize/normalizer.h"
#include "tests/test_data.h"

namespace vigil::normalize {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(TeencodeParseTest, ParsesEntries) {
  auto t = TeencodeTable::Parse(
      "# c\n\nko\tkhông\nck\tchồng|chuyển khoản\tambiguous\tnote here\r\n",
      "t.tsv");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->size(), 2u);
  const int32_t ck = t->Find("ck");
  ASSERT_GE(ck, 0);
  EXPECT_TRUE(t->entry(ck).ambiguous);
  EXPECT_THAT(t->entry(ck).expansions, ElementsAre("chồng", "chuyển khoản"));
  EXPECT_EQ(t->entry(ck).note, "note here");
  EXPECT_EQ(t->entry(ck).line, 4);
  EXPECT_EQ(t->Find("kh"), -1);
}

struct BadCase {
  const char* name;
  const char* contents;
  const char* message;  // expected substring, including file:line
};

class TeencodeErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(TeencodeErrorTest, ReportsFileAndLine) {
  auto t = TeencodeTable::Parse(GetParam().contents, "t.tsv");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(std::string(t.status().message()), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TeencodeErrorTest,
    ::testing::Values(
        BadCase{"one_column", "ko không\n", "t.tsv:1: expected 2 to 4"},
        BadCase{"five_columns", "a\tb\t-\tn\tx\n", "t.tsv:1: expected 2 to 4"},
        BadCase{"uppercase_surface", "# x\nKo\tkhông\n",
                "t.tsv:2: surface 'Ko'"},
        BadCase{"space_in_surface", "k o\tkhông\n", "t.tsv:1: surface"},
        BadCase{"empty_expansion", "ko\t\n", "t.tsv:1: expansion ''"},
        BadCase{"double_space", "ntn\tnhư  thế nào\n", "t.tsv:1: expansion"},
        BadCase{"punct_expansion", "ko\tkhông!\n", "t.tsv:1: expansion"},
        BadCase{"same_as_surface", "ko\tko\n", "t.tsv:1: expansion equals"},
        BadCase{"bad_flag", "ko\tkhông\tmaybe\n",
                "t.tsv:1: unknown flag 'maybe'"},
        BadCase{"alternatives_need_flag", "ck\tchồng|chuyển khoản\n",
                "t.tsv:1: several expansions require"},
        BadCase{"duplicate", "ko\tkhông\n\nko\tkhông\n",
                "t.tsv:3: duplicate surface 'ko' (first on line 1)"},
        BadCase{"invalid_utf8", "k\xFF\tkhông\n", "t.tsv:1: not valid UTF-8"},
        BadCase{"not_nfc", "ko\tkho\xCC\x82ng\n",
                "t.tsv:1: not valid UTF-8 in NFC"},
        BadCase{"new_style_tone", "hoà\thòa bình\n",
                "t.tsv:1: surface 'hoà' is not in canonical form"}),
    [](const auto& info) { return info.param.name; });

TEST(TeencodeLoadTest, MissingFileIsNotFound) {
  auto t = TeencodeTable::Load("/nonexistent.tsv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
}

// The shipped table: loads, is large enough, marks ambiguity, and its
// expansions are themselves canonical (normalizing them changes nothing).
TEST(ShippedTeencodeTest, LoadsAndIsCanonical) {
  auto t = TeencodeTable::Load(testing::SourcePath("lexicons/teencode.tsv"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_GE(t->size(), 300u);
  size_t ambiguous = 0;
  const Normalizer plain{TeencodeTable()};
  for (size_t i = 0; i < t->size(); ++i) {
    const auto& e = t->entry(static_cast<int32_t>(i));
    ambiguous += e.ambiguous;
    for (const std::string& x : e.expansions) {
      EXPECT_EQ(plain.Normalize(x).canonical(), x)
          << "teencode.tsv:" << e.line << " expansion is not canonical";
    }
  }
  EXPECT_GE(ambiguous, 20u);
  for (const char* s : {"ko", "đc", "dc", "vcl", "đm"}) {
    const int32_t i = t->Find(s);
    ASSERT_GE(i, 0) << s;
    EXPECT_FALSE(t->entry(i).ambiguous) << s;
  }
  const int32_t ck = t->Find("ck");
  ASSERT_GE(ck, 0);
  EXPECT_TRUE(t->entry(ck).ambiguous);
}

}  // namespace
}  // namespace vigil::normalize
