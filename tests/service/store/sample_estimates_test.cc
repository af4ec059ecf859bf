// Prevalence and recall from the quality sample (sample_estimates.h),
// against computations done by hand.
#include "service/store/sample_estimates.h"

#include <gtest/gtest.h>

namespace vigil::service {
namespace {

TEST(WilsonIntervalTest, KnownValues) {
  // 95% Wilson score intervals, computed by hand from the formula.
  auto [low, high] = WilsonInterval(10, 100);
  EXPECT_NEAR(low, 0.0552, 5e-5);
  EXPECT_NEAR(high, 0.1744, 5e-5);
  std::tie(low, high) = WilsonInterval(0, 50);
  EXPECT_DOUBLE_EQ(low, 0);
  EXPECT_NEAR(high, 0.07135, 5e-5);
  std::tie(low, high) = WilsonInterval(20, 20);
  EXPECT_NEAR(low, 0.8389, 5e-5);
  EXPECT_DOUBLE_EQ(high, 1);
}

TEST(EstimateFromSampleTest, PrevalenceAndRecallByHand) {
  const int insult = static_cast<int>(match::Category::kInsult);
  const int spam = static_cast<int>(match::Category::kSpam);
  SampleTallies t;
  t.unflagged = 100000;
  t.sampled = 500;
  t.labeled = 400;
  t.labeled_harmful = 6;
  t.harmful_by_category[insult] = 4;  // 1% of the labeled sample
  t.flagged_by_category[insult] = 3000;
  t.actioned_by_category[insult] = 90;
  t.dismissed_by_category[insult] = 10;
  t.harmful_by_category[spam] = 2;  // no flagged spam decided
  const v1::GetSampleEstimatesResponse r = EstimateFromSample(t);
  EXPECT_EQ(r.unflagged(), 100000);
  EXPECT_EQ(r.labeled(), 400);
  EXPECT_EQ(r.labeled_harmful(), 6);
  ASSERT_EQ(r.categories_size(), match::kNumCategories);
  const v1::SampleEstimate& e = r.categories(insult);
  EXPECT_EQ(e.category(), "insult");
  EXPECT_DOUBLE_EQ(e.prevalence(), 0.01);
  EXPECT_DOUBLE_EQ(e.estimated_missed(), 1000);
  EXPECT_DOUBLE_EQ(e.precision(), 0.9);
  // caught 0.9 * 3000 = 2700; recall 2700 / (2700 + 1000).
  EXPECT_DOUBLE_EQ(e.recall(), 2700.0 / 3700);
  // Ends: precision 90/100 has Wilson (0.8256, 0.9448); prevalence 4/400
  // (0.0039, 0.0254). low = 0.8256*3000 / (0.8256*3000 + 0.0254*100000).
  const auto [q_low, q_high] = WilsonInterval(90, 100);
  const auto [p_low, p_high] = WilsonInterval(4, 400);
  EXPECT_NEAR(q_low, 0.8256, 5e-5);
  EXPECT_NEAR(p_high, 0.0254, 5e-5);
  EXPECT_DOUBLE_EQ(e.recall_low(),
                   q_low * 3000 / (q_low * 3000 + p_high * 100000));
  EXPECT_DOUBLE_EQ(e.recall_high(),
                   q_high * 3000 / (q_high * 3000 + p_low * 100000));
  EXPECT_NEAR(e.recall_low(), 0.4935, 5e-4);
  // Spam: prevalence but no precision, so no recall.
  EXPECT_DOUBLE_EQ(r.categories(spam).prevalence(), 0.005);
  EXPECT_FALSE(r.categories(spam).has_precision());
  EXPECT_FALSE(r.categories(spam).has_recall());
  // Nothing labeled: no prevalence anywhere.
  SampleTallies none;
  none.unflagged = 10;
  EXPECT_FALSE(EstimateFromSample(none).categories(insult).has_prevalence());
}

}  // namespace
}  // namespace vigil::service
