// The quality sample's choice of posts (service/sampler.h): its rate over
// many posts, agreement between instances, and the keyed hash itself.
#include "service/sampler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace vigil::service {
namespace {

TEST(SamplerTest, PositionIsTheKeyedHashOfSourceAndId) {
  // HMAC-SHA256(key, source NUL id), its first 53 bits as a fraction;
  // known answers from Python's hmac module.
  EXPECT_DOUBLE_EQ(Sampler(0.5, "").Position("fb", "123"), 0.1365054552037943);
  EXPECT_DOUBLE_EQ(Sampler(0.5, "k").Position("src", "post-9"),
                   0.4759681951669882);
  // The separator keeps ("a", "bc") and ("ab", "c") apart.
  const Sampler s(0.5, "k");
  EXPECT_NE(s.Position("a", "bc"), s.Position("ab", "c"));
}

TEST(SamplerTest, RateIsHonouredOverManyPosts) {
  // 100,000 posts: the count sampled is binomial(n, rate); within 5
  // standard deviations of its mean for each rate.
  constexpr int kPosts = 100000;
  for (double rate : {0.001, 0.01, 0.1, 0.5}) {
    const Sampler sampler(rate, "a secret");
    int sampled = 0;
    for (int i = 0; i < kPosts; ++i) {
      sampled += sampler.Sampled("feed-" + std::to_string(i % 7),
                                 "post-" + std::to_string(i));
    }
    const double mean = kPosts * rate;
    const double sd = std::sqrt(kPosts * rate * (1 - rate));
    EXPECT_NEAR(sampled, mean, 5 * sd) << rate;
  }
}

TEST(SamplerTest, InstancesWithTheSameKeyAgree) {
  const Sampler a(0.1, "shared"), b(0.1, "shared"), other(0.1, "another");
  int agree_other = 0, sampled = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string id = std::to_string(i);
    EXPECT_EQ(a.Sampled("fb", id), b.Sampled("fb", id)) << id;
    sampled += a.Sampled("fb", id);
    agree_other += a.Sampled("fb", id) && other.Sampled("fb", id);
  }
  // Another key picks another sample: overlap about rate^2, not rate.
  EXPECT_LT(agree_other, sampled / 4);
}

TEST(SamplerTest, EdgesOfTheRateAndPostsWithoutId) {
  EXPECT_FALSE(Sampler(0, "").Sampled("fb", "1"));
  EXPECT_TRUE(Sampler(1, "").Sampled("fb", "1"));
  EXPECT_FALSE(Sampler(1, "").Sampled("fb", ""));
}

}  // namespace
}  // namespace vigil::service
