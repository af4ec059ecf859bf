// The scorer on hand-made hits over the fixture lexicon: what counts, what
// is dropped, severities, and which hits explain a flag.
#include "analyzers/score/scorer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string_view>

#include "analyzers/analyzer.h"
#include "tests/test_data.h"

namespace vigil::score {
namespace {

using match::Category;
using match::Hit;
using match::LearnedSums;
using match::Severity;

class ScorerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = Analyzer::Load(testing::SourcePath("tests/fixtures/lexicon"));
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    analyzer_ = new std::shared_ptr<const Analyzer>(*loaded);
  }
  static const match::Lexicon& lexicon() { return (*analyzer_)->lexicon(); }

  // The index of the term `text` of `category`.
  static int32_t TermOf(std::string_view text, Category category,
                        bool learned = false) {
    const auto& terms = lexicon().terms();
    for (size_t i = 0; i < terms.size(); ++i) {
      if (terms[i].text == text && terms[i].category == category &&
          terms[i].learned == learned) {
        return static_cast<int32_t>(i);
      }
    }
    ADD_FAILURE() << "no term " << text;
    return 0;
  }
  static Hit At(int32_t term, uint32_t first, uint32_t last) {
    Hit h;
    h.term = term;
    h.first_token = first;
    h.last_token = last;
    h.begin = first * 10;
    h.end = last * 10 + 5;
    h.severity = lexicon().terms()[term].severity;
    return h;
  }
  static double Logistic(double x) { return 1 / (1 + std::exp(-x)); }

  static std::shared_ptr<const Analyzer>* analyzer_;
};
std::shared_ptr<const Analyzer>* ScorerTest::analyzer_ = nullptr;

constexpr int kInsult = static_cast<int>(Category::kInsult);
constexpr int kProfanity = static_cast<int>(Category::kProfanity);

TEST_F(ScorerTest, NoEvidenceScoresTheBias) {
  const Verdict v = Score(lexicon(), {}, LearnedSums{});
  EXPECT_FALSE(v.flagged);
  EXPECT_TRUE(v.hits.empty());
  EXPECT_DOUBLE_EQ(v.scores[kProfanity], Logistic(-2.5));
  EXPECT_EQ(v.severities[kProfanity], Severity::kNone);
}

TEST_F(ScorerTest, ATermHitTwiceCountsOnce) {
  const int32_t ngu = TermOf("ngu", Category::kInsult);  // weight 1.5
  const Verdict once = Score(lexicon(), {At(ngu, 0, 0)}, LearnedSums{});
  const Verdict twice =
      Score(lexicon(), {At(ngu, 0, 0), At(ngu, 3, 3)}, LearnedSums{});
  EXPECT_DOUBLE_EQ(twice.scores[kInsult], once.scores[kInsult]);
  EXPECT_DOUBLE_EQ(once.scores[kInsult], Logistic(-2.5 + 1.5));
  EXPECT_FALSE(twice.IsFlagged(Category::kInsult));  // 1.5 < 2.5
}

TEST_F(ScorerTest, AHitInsideALongerOneIsDropped) {
  const int32_t ngu = TermOf("ngu", Category::kInsult);
  const int32_t thang_ngu = TermOf("thằng ngu", Category::kInsult);  // 3
  const Verdict v =
      Score(lexicon(), {At(ngu, 1, 1), At(thang_ngu, 0, 1)}, LearnedSums{});
  // 3, not 3 + 1.5: the longer term speaks for the span.
  EXPECT_DOUBLE_EQ(v.scores[kInsult], Logistic(-2.5 + 3));
  ASSERT_TRUE(v.IsFlagged(Category::kInsult));
  ASSERT_EQ(v.hits.size(), 1u);
  EXPECT_EQ(v.hits[0].term, thang_ngu);
}

TEST_F(ScorerTest, AFrameOfAnotherCategoryDoesNotSwallowAHit) {
  constexpr int kThreat = static_cast<int>(Category::kThreat);
  const int32_t giet = TermOf("giết", Category::kThreat);  // 2
  // An open regex (repetition): a frame around other words.
  const int32_t frame = TermOf("\\d+k / ngày", Category::kScam);
  // A finite regex: a set of wordings, as specific as a phrase.
  const int32_t wording = TermOf("việc nhẹ (, )?lương cao", Category::kScam);
  ASSERT_TRUE(lexicon().terms()[frame].frame);
  ASSERT_FALSE(lexicon().terms()[wording].frame);
  const Verdict in_frame =
      Score(lexicon(), {At(frame, 0, 4), At(giet, 2, 2)}, LearnedSums{});
  EXPECT_DOUBLE_EQ(in_frame.scores[kThreat], Logistic(-2.5 + 2));
  const Verdict in_wording =
      Score(lexicon(), {At(wording, 0, 4), At(giet, 2, 2)}, LearnedSums{});
  EXPECT_DOUBLE_EQ(in_wording.scores[kThreat], Logistic(-2.5));
}

TEST_F(ScorerTest, MildEvidenceAloneDoesNotFlag) {
  const int32_t vai = TermOf("vãi cả lồn", Category::kProfanity);  // mild, 3
  const int32_t dit_me = TermOf("địt mẹ", Category::kProfanity);   // moderate
  const Verdict mild = Score(lexicon(), {At(vai, 0, 2)}, LearnedSums{});
  EXPECT_EQ(mild.severities[kProfanity], Severity::kMild);
  EXPECT_FALSE(mild.IsFlagged(Category::kProfanity));
  EXPECT_TRUE(mild.hits.empty());  // only flagged categories explain
  EXPECT_DOUBLE_EQ(mild.scores[kProfanity], Logistic(-2.5 + 3));
  const Verdict moderate =
      Score(lexicon(), {At(vai, 0, 2), At(dit_me, 4, 5)}, LearnedSums{});
  EXPECT_EQ(moderate.severities[kProfanity], Severity::kModerate);
  EXPECT_TRUE(moderate.IsFlagged(Category::kProfanity));
  EXPECT_EQ(moderate.hits.size(), 2u);
}

TEST_F(ScorerTest, LearnedScoreAndItsExplanations) {
  // The fixture's learned insult model: bias -2, threshold 0.7.
  const int32_t khung = TermOf("khùng", Category::kInsult, true);  // 3
  const int32_t that = TermOf("thật", Category::kInsult, true);    // -1
  LearnedSums sums;
  sums.all[kInsult] = 3 - 1;
  sums.not_mild[kInsult] = 3 - 1;
  sums.words = 4;
  Verdict v = Score(lexicon(), {At(khung, 0, 0), At(that, 2, 2)}, sums);
  EXPECT_DOUBLE_EQ(v.learned_scores[kInsult], Logistic(-2 + 2));  // 0.5
  EXPECT_FALSE(v.IsFlagged(Category::kInsult));                   // < 0.7
  sums.all[kInsult] = sums.not_mild[kInsult] = 3;
  v = Score(lexicon(), {At(khung, 0, 0)}, sums);
  EXPECT_DOUBLE_EQ(v.learned_scores[kInsult], Logistic(-2 + 3));
  EXPECT_EQ(v.severities[kInsult], Severity::kModerate);
  ASSERT_TRUE(v.IsFlagged(Category::kInsult));
  ASSERT_EQ(v.hits.size(), 1u);
  EXPECT_EQ(v.hits[0].term, khung);
  // The same sum from n-grams inside a mild curated hit is mild evidence.
  sums.not_mild[kInsult] = 0;
  v = Score(lexicon(), {At(khung, 0, 0)}, sums);
  EXPECT_EQ(v.severities[kInsult], Severity::kMild);
  EXPECT_FALSE(v.IsFlagged(Category::kInsult));
}

}  // namespace
}  // namespace vigil::score
