// The shipped lexicons: they load and lint clean, and on posts written for
// this test each category catches what it is for while ordinary posts that
// contain the same syllables stay clean.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analyzers/analyzer.h"
#include "analyzers/score/metrics.h"
#include "analyzers/util/csv.h"
#include "tests/test_data.h"

namespace vigil {
namespace {

using ::testing::ElementsAreArray;

const Analyzer& Shipped() {
  static const std::shared_ptr<const Analyzer> a = [] {
    std::vector<match::LexiconProblem> problems;
    auto loaded = Analyzer::Load(testing::SourcePath("lexicons"), &problems);
    for (const auto& p : problems)
      ADD_FAILURE() << p.where << ": " << p.message;
    return loaded.ok() ? *loaded : nullptr;
  }();
  return *a;
}

TEST(ShippedLexiconTest, LintsClean) {
  std::vector<match::LexiconProblem> problems = match::Lexicon::Lint(
      testing::SourcePath("lexicons"), Shipped().normalizer());
  for (const auto& p : problems) ADD_FAILURE() << p.where << ": " << p.message;
}

TEST(ShippedLexiconTest, EveryCategoryHasEntries) {
  std::array<int, match::kNumCategories> counts{};
  for (const match::Term& t : Shipped().lexicon().terms()) {
    ++counts[static_cast<int>(t.category)];
  }
  for (int c = 0; c < match::kNumCategories; ++c) {
    EXPECT_GE(counts[c], 20) << match::kCategoryNames[c];
  }
  EXPECT_GE(Shipped().lexicon().allowlist().size(), 20u);
}

struct Case {
  const char* name;
  std::string post;
  std::vector<std::string> flagged;
};

class ShippedVerdictTest : public ::testing::TestWithParam<Case> {};

TEST_P(ShippedVerdictTest, Flags) {
  const score::Verdict v = Shipped().Analyze(GetParam().post).verdict;
  std::vector<std::string> flagged;
  for (int c = 0; c < match::kNumCategories; ++c) {
    if (v.flagged_categories & (1u << c))
      flagged.emplace_back(match::kCategoryNames[c]);
  }
  EXPECT_THAT(flagged, ElementsAreArray(GetParam().flagged)) << GetParam().post;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ShippedVerdictTest,
    ::testing::Values(
        // One per category.
        Case{"insult", "mày là đồ óc chó", {"insult"}},
        Case{"hate", "bọn bắc kỳ", {"hate"}},
        Case{"threat", "tao sẽ giết mày", {"threat"}},
        // vulgar and sexual at once: the learned profanity model agrees
        Case{"sexual", "địt nhau không em", {"profanity", "sexual"}},
        Case{"self_harm", "tôi muốn tự tử", {"self_harm"}},
        Case{"scam", "nạp 100k nhận 200k", {"scam"}},
        Case{"spam", "follow chéo nhé", {"spam"}},
        Case{"profanity_teencode", "dm thằng ngu", {"profanity", "insult"}},
        Case{"profanity_joined", "đ.m cuộc đời", {"profanity"}},
        Case{"unaccented_insult", "thang nay ngu vai", {"insult"}},
        // Ordinary posts sharing syllables with terms.
        Case{"travel", "đi du lịch Đà Lạt", {}},
        Case{"weather", "hôm nay trời đẹp quá", {}},
        Case{"pet_dog", "con chó nhà tôi dễ thương", {}},
        Case{"hyperbole", "cười muốn chết", {}},
        Case{"kill_time", "giết thời gian", {}},
        Case{"beer_can", "lon bia này ngon", {}},
        Case{"enough", "đủ rồi nhé", {}},
        Case{"unaccented_travel", "di du lich da lat", {}}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

// Quality floors on held-out labeled data (../shared). ViHSD dev was not
// used to write entries or weights, nor to pick thresholds (those came from
// ViHSD train). Curated and learned lexicons together must reach the
// project's targets (0.82 binary, 0.66 3-class macro-F1; a TF-IDF logistic
// regression trained on ViHSD reaches about 0.80 and 0.64); plain word
// lists reach about 0.68 and 0.41.
TEST(ShippedQualityTest, ViHsdDevMacroF1) {
  std::optional<std::string> path = testing::SharedPath("data/vihsd/dev.csv");
  if (!path) GTEST_SKIP() << "../shared/data/vihsd/dev.csv is absent";
  std::vector<std::vector<std::string>> rows = testing::ReadCsv(*path);
  ASSERT_GT(rows.size(), 1000u);
  const int text = CsvColumn(rows[0], "free_text");
  const int label = CsvColumn(rows[0], "label_id");
  ASSERT_GE(text, 0);
  ASSERT_GE(label, 0);
  score::Confusion three(3), binary(2);
  for (size_t r = 1; r < rows.size(); ++r) {
    const int gold = std::stoi(rows[r][label]);
    const int predicted = score::ToViHsdLabel(
        Shipped().Analyze(rows[r][text]).verdict.flagged_categories);
    three.Add(gold, predicted);
    binary.Add(gold > 0, predicted > 0);
  }
  RecordProperty("binary_macro_f1", std::to_string(binary.MacroF1()));
  RecordProperty("three_class_macro_f1", std::to_string(three.MacroF1()));
  EXPECT_GE(binary.MacroF1(), 0.82);
  EXPECT_GE(three.MacroF1(), 0.66);
}

}  // namespace
}  // namespace vigil
