// RewriteWords: words read anew keep their spans in the original post, and
// the canonical and folded views stay aligned token by token.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzers/normalize/normalizer.h"

namespace vigil::normalize {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Texts(const NormalizedText& n, bool folded) {
  std::vector<std::string> out;
  for (const Token& t : n.tokens()) {
    out.emplace_back(folded ? n.folded_text(t) : n.text(t));
  }
  return out;
}

TEST(RewriteWordsTest, RewritesKeepSpansAndViewsAligned) {
  const Normalizer normalizer{TeencodeTable()};
  const std::string post = "Hom nay, ck di dau?";
  NormalizedText n = normalizer.Normalize(post);
  ASSERT_THAT(Texts(n, false),
              ElementsAre("hom", "nay", ",", "ck", "di", "dau", "?"));
  const std::vector<Token> before = n.tokens();
  const uint32_t words = n.words();
  RewriteWords({{.token = 0, .canonical = "hôm", .steps = kStepRestored},
                {.token = 1, .canonical = "nay"},
                {.token = 3,
                 .canonical = "chuyển khoản",
                 .steps = kStepRestored | kStepTeencode},
                {.token = 4, .canonical = "đi", .steps = kStepRestored}},
               &n);
  EXPECT_EQ(n.canonical(), "hôm nay , chuyển khoản đi dau ?");
  EXPECT_EQ(n.folded(), "hom nay , chuyen khoan di dau ?");
  EXPECT_THAT(Texts(n, true), ElementsAre("hom", "nay", ",", "chuyen", "khoan",
                                          "di", "dau", "?"));
  const std::vector<Token>& t = n.tokens();
  ASSERT_EQ(t.size(), 8u);
  // Spans in the original post are those of the words as written.
  EXPECT_EQ(post.substr(t[0].begin, t[0].end - t[0].begin), "Hom");
  EXPECT_EQ(post.substr(t[3].begin, t[3].end - t[3].begin), "ck");
  EXPECT_EQ(post.substr(t[4].begin, t[4].end - t[4].begin), "ck");
  EXPECT_EQ(post.substr(t[5].begin, t[5].end - t[5].begin), "di");
  EXPECT_EQ(t[3].begin_char, before[3].begin_char);
  EXPECT_EQ(t[4].end_char, before[3].end_char);
  // An expansion is numbered like a teencode expansion.
  EXPECT_EQ(t[3].part, 0);
  EXPECT_EQ(t[4].part, 1);
  EXPECT_EQ(t[4].parts, 2);
  // The step only where the text changed.
  EXPECT_EQ(t[1].steps & kStepRestored, 0u);
  EXPECT_NE(t[0].steps & kStepRestored, 0u);
  EXPECT_NE(t[4].steps & kStepTeencode, 0u);
  // The post's counts are those of the words as written.
  EXPECT_EQ(n.words(), words);
  EXPECT_TRUE(n.unaccented());
}

TEST(RewriteWordsTest, NoRewritesAndEmptyTextsChangeNothing) {
  const Normalizer normalizer{TeencodeTable()};
  NormalizedText n = normalizer.Normalize("hom nay");
  RewriteWords({}, &n);
  RewriteWords({{.token = 1, .canonical = ""}}, &n);
  EXPECT_EQ(n.canonical(), "hom nay");
  EXPECT_EQ(n.folded(), "hom nay");
  EXPECT_EQ(n.tokens()[1].steps & kStepRestored, 0u);
}

}  // namespace
}  // namespace vigil::normalize
