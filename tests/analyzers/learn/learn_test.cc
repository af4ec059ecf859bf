// The learner: logistic regression and n-gram features.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "analyzers/learn/logistic.h"
#include "analyzers/learn/ngrams.h"
#include "analyzers/normalize/normalizer.h"

namespace vigil::learn {
namespace {

using ::testing::ElementsAre;

// Feature 0 marks positives, feature 1 negatives, feature 2 is noise in
// both.
std::vector<SparseExample> ToyData() {
  std::vector<SparseExample> data;
  for (int i = 0; i < 50; ++i) {
    data.push_back({{0, 2}, true});
    data.push_back({{1, 2}, false});
    data.push_back({{0}, true});
    data.push_back({{1}, false});
  }
  data.push_back({{0}, false});  // one label against the rule
  return data;
}

TEST(LogisticTest, LearnsTheSignOfEachFeature) {
  const LogisticModel m = FitLogistic(ToyData(), 3, {.c = 1});
  EXPECT_GT(m.weights[0], 1.0);
  EXPECT_LT(m.weights[1], -1.0);
  EXPECT_LT(std::abs(m.weights[2]), 0.5);
  EXPECT_GT(m.Probability({0}), 0.9);
  EXPECT_LT(m.Probability({1}), 0.1);
  EXPECT_GT(m.iterations, 0);
}

TEST(LogisticTest, StrongerRegularizationShrinksWeights) {
  const LogisticModel loose = FitLogistic(ToyData(), 3, {.c = 10});
  const LogisticModel tight = FitLogistic(ToyData(), 3, {.c = 0.01});
  EXPECT_GT(std::abs(loose.weights[0]), std::abs(tight.weights[0]));
}

TEST(LogisticTest, IsDeterministic) {
  const LogisticModel a = FitLogistic(ToyData(), 3, {.c = 3});
  const LogisticModel b = FitLogistic(ToyData(), 3, {.c = 3});
  EXPECT_EQ(a.weights, b.weights);  // bit for bit
  EXPECT_EQ(a.bias, b.bias);
}

TEST(LogisticTest, GradientVanishesAtTheOptimum) {
  // At the optimum of C*sum(loss) + |w|^2/2, each weight equals
  // C * sum over examples with the feature of (y01 - p).
  const std::vector<SparseExample> data = ToyData();
  const LogisticModel m = FitLogistic(data, 3, {.c = 1, .tolerance = 1e-9});
  for (int f = 0; f < 3; ++f) {
    double g = 0;
    for (const SparseExample& e : data) {
      if (std::find(e.features.begin(), e.features.end(), f) ==
          e.features.end()) {
        continue;
      }
      g += (e.positive ? 1.0 : 0.0) - m.Probability(e.features);
    }
    EXPECT_NEAR(m.weights[f], g, 1e-4) << f;
  }
}

TEST(NgramsTest, RunsOfWordsAndNumbersUpToN) {
  const normalize::Normalizer n{normalize::TeencodeTable()};
  EXPECT_THAT(SyllableNgrams(n.Normalize("Mày NGU, 3 que!"), 2),
              ElementsAre("3", "3 que", "mày", "mày ngu", "ngu", "que"));
  EXPECT_THAT(SyllableNgrams(n.Normalize("a b c"), 3),
              ElementsAre("a", "a b", "a b c", "b", "b c", "c"));
  EXPECT_TRUE(SyllableNgrams(n.Normalize("😂 !!!"), 3).empty());
}

}  // namespace
}  // namespace vigil::learn
