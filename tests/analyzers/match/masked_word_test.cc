// Masked words ("ch*", "l*n"): where they are, their masks, and which
// folded syllables fit them.
#include "analyzers/match/masked_word.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzers/normalize/normalizer.h"

namespace vigil::match {
namespace {

struct FindCase {
  const char* name;
  const char* post;
  std::vector<std::string> masks;  // in order
};

const FindCase kFindCases[] = {
    {"star_at_end", "óc ch*", {"ch?"}},
    {"star_inside", "thằng hãm l*n", {"l?n"}},
    {"two_stars", "đ** thật", {"d??"}},
    {"unaccented_and_upper", "OC CH*", {"ch?"}},
    {"two_masked_words", "đ* m* mày", {"d?", "m?"}},
    {"plain_words", "óc chó", {}},
    {"star_alone", "* chó", {}},
    {"star_apart", "chó * mèo", {}},
    {"more_hidden_than_shown_plus_one", "c*** ạ", {}},
    {"too_long", "abcdefgh* ạ", {}},
};

class FindMaskedWordsTest : public ::testing::TestWithParam<FindCase> {};

TEST_P(FindMaskedWordsTest, Masks) {
  auto normalizer =
      normalize::Normalizer::Create(normalize::Normalizer::Options{});
  ASSERT_TRUE(normalizer.ok()) << normalizer.status();
  const normalize::NormalizedText text =
      (*normalizer)->Normalize(GetParam().post);
  std::vector<std::string> masks;
  for (const MaskedWord& m : FindMaskedWords(text)) {
    EXPECT_LE(m.first, m.last);
    masks.push_back(m.mask);
  }
  EXPECT_THAT(masks, ::testing::ElementsAreArray(GetParam().masks));
}

INSTANTIATE_TEST_SUITE_P(Cases, FindMaskedWordsTest,
                         ::testing::ValuesIn(kFindCases),
                         [](const auto& info) { return info.param.name; });

TEST(MaskedWordTest, TheMaskedWordSpansItsTokens) {
  auto normalizer =
      normalize::Normalizer::Create(normalize::Normalizer::Options{});
  ASSERT_TRUE(normalizer.ok());
  const normalize::NormalizedText text = (*normalizer)->Normalize("vãi l*n");
  const std::vector<MaskedWord> masked = FindMaskedWords(text);
  ASSERT_EQ(masked.size(), 1u);
  EXPECT_EQ(text.tokens()[masked[0].first].begin, 5u);  // "l"
  EXPECT_EQ(text.tokens()[masked[0].last].end, 8u);     // "n"
}

TEST(MaskedWordTest, FitsMask) {
  EXPECT_TRUE(FitsMask("cho", "ch?"));
  EXPECT_TRUE(FitsMask("lon", "l?n"));
  EXPECT_FALSE(FitsMask("chet", "ch?"));  // length
  EXPECT_FALSE(FitsMask("nho", "ch?"));   // a shown letter differs
}

}  // namespace
}  // namespace vigil::match
