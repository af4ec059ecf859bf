// `vigil campaigns eval`: grouping quality on generated campaigns, on the
// shipped fixtures and (in CI) on ../shared, with its usage errors; and the
// campaign copies it generates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "nlohmann/json.hpp"
#include "service/store/clusters.h"
#include "tests/test_data.h"
#include "tests/tools/cli/run_vigil.h"
#include "tools/cli/campaign_variants.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using vigil::testing::RunVigil;
using vigil::testing::SourcePath;

nlohmann::json RunJson(const std::string& args) {
  const vigil::testing::Result r =
      RunVigil("campaigns eval " + args + " --json", "");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
}

TEST(CampaignsCliTest, GroupsTheFixtureCampaigns) {
  const nlohmann::json j =
      RunJson("--lexicons " + SourcePath("lexicons") + " --seeds " +
              SourcePath("tests/fixtures/campaign_seeds.jsonl") +
              " --unrelated " + SourcePath("tests/fixtures/vihos_tiny.csv") +
              "," + SourcePath("tests/fixtures/campaign_seeds.jsonl") +
              " --campaigns 4 --copies 20 --unrelated-posts 100");
  ASSERT_FALSE(j.is_null());
  const nlohmann::json& held_out = j["held_out"];
  EXPECT_GE(held_out["campaigns"].get<int>(), 3);
  EXPECT_GT(held_out["true_pairs"].get<int>(), 0);
  EXPECT_GE(held_out["precision"].get<double>(), 0.95) << held_out.dump();
  EXPECT_GE(held_out["recall"].get<double>(), 0.90) << held_out.dump();
  EXPECT_EQ(held_out["unrelated_joined_campaign"].get<int>(), 0);
  EXPECT_DOUBLE_EQ(j["threshold"].get<double>(),
                   vigil::service::kDefaultClusterThreshold);
  // The sweep: thresholds 0.30 to 0.90; recall falls as they rise.
  const nlohmann::json& sweep = j["tune"]["sweep"];
  ASSERT_EQ(sweep.size(), 13u);
  EXPECT_GE(sweep.front()["recall"].get<double>(),
            sweep.back()["recall"].get<double>());
  EXPECT_LT(sweep.back()["recall"].get<double>(), 0.9)
      << "at 0.90 some copies must fall apart, or the copies are too easy";
}

TEST(CampaignsCliTest, AThresholdOfOneSplitsCampaigns) {
  // The measurement can fail: at an exact-match threshold most copies stay
  // apart.
  const nlohmann::json j =
      RunJson("--lexicons " + SourcePath("lexicons") + " --seeds " +
              SourcePath("tests/fixtures/campaign_seeds.jsonl") +
              " --unrelated " + SourcePath("tests/fixtures/vihos_tiny.csv") +
              " --campaigns 4 --copies 20 --threshold 1");
  ASSERT_FALSE(j.is_null());
  EXPECT_LT(j["held_out"]["recall"].get<double>(), 0.8);
}

// The shipped threshold and the figures BENCHMARKS.md quotes: 20 campaigns
// of 50 copies and 2,000 unrelated harmful posts per half.
TEST(CampaignsCliTest, SharedDataMeetsTheAims) {
  const auto seeds = vigil::testing::SharedPath("data/synthetic/posts.jsonl");
  const auto vihos = vigil::testing::SharedPath("data/vihos/train.csv");
  if (!seeds || !vihos) {
    VIGIL_SKIP_WITHOUT_SHARED("../shared/data is absent: no seed posts");
  }
  const std::string data = SourcePath("../shared/data/");
  const nlohmann::json j =
      RunJson("--lexicons " + SourcePath("lexicons") + " --seeds " + *seeds +
              " --unrelated " + *seeds + "," + data + "vihos/train.csv," +
              data + "vihos/dev.csv," + data + "vihos/test.csv");
  ASSERT_FALSE(j.is_null());
  const nlohmann::json& held_out = j["held_out"];
  EXPECT_EQ(held_out["campaigns"].get<int>(), 20);
  EXPECT_EQ(held_out["unrelated"].get<int>(), 2000);
  EXPECT_GE(held_out["precision"].get<double>(), 0.95) << held_out.dump();
  EXPECT_GE(held_out["recall"].get<double>(), 0.90) << held_out.dump();
  EXPECT_LE(held_out["unrelated_joined_campaign"].get<int>(), 20);
  // The store's threshold is the one the tuning half picks.
  EXPECT_DOUBLE_EQ(j["tune"]["picked_threshold"].get<double>(),
                   vigil::service::kDefaultClusterThreshold);
}

TEST(CampaignsCliTest, UsageAndDataErrors) {
  EXPECT_EQ(RunVigil("campaigns", "").exit_code, 2);
  EXPECT_EQ(RunVigil("campaigns list", "").exit_code, 2);
  const vigil::testing::Result no_seeds =
      RunVigil("campaigns eval --unrelated x.csv", "");
  EXPECT_EQ(no_seeds.exit_code, 2);
  EXPECT_THAT(no_seeds.err, HasSubstr("--seeds FILE is required"));
  EXPECT_EQ(RunVigil("campaigns eval --seeds a --unrelated b --threshold 2", "")
                .exit_code,
            2);
  const vigil::testing::Result missing =
      RunVigil("campaigns eval --lexicons " + SourcePath("lexicons") +
                   " --seeds /nonexistent/seeds.jsonl --unrelated " +
                   SourcePath("tests/fixtures/vihos_tiny.csv"),
               "");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/seeds.jsonl"));
}

class CampaignVariantsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto table = vigil::normalize::TeencodeTable::Load(
        SourcePath("lexicons/teencode.tsv"));
    ASSERT_TRUE(table.ok()) << table.status();
    variants_ = new vigil::cli::CampaignVariants(*table);
  }
  static void TearDownTestSuite() { delete variants_; }
  static vigil::cli::CampaignVariants* variants_;
};

vigil::cli::CampaignVariants* CampaignVariantsTest::variants_ = nullptr;

constexpr char kSeed[] =
    "Chúc mừng bạn đã trúng thưởng 5.000.000đ, không cần làm gì, truy cập "
    "bit.ly/qua-tang và điền thông tin trước 23h hôm nay";

TEST_F(CampaignVariantsTest, EditsDoWhatTheySay) {
  std::set<std::string> copies;
  uint32_t seen = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    uint32_t edits = 0;
    const std::string copy = variants_->Make(kSeed, seed, &edits);
    EXPECT_NE(edits, 0u) << copy;
    EXPECT_NE(copy, kSeed);
    seen |= edits;
    copies.insert(copy);
    // (A wording edit may drop the word that holds the link or number.)
    const bool dropped = edits & vigil::cli::kEditWording;
    if (edits & vigil::cli::kEditLink) {
      EXPECT_THAT(copy, Not(HasSubstr("bit.ly/qua-tang"))) << copy;
    } else if (!dropped) {
      EXPECT_THAT(copy, HasSubstr("bit.ly/qua-tang")) << copy;
    }
    if (edits & vigil::cli::kEditUnaccent) {
      EXPECT_THAT(copy, Not(HasSubstr("ú"))) << copy;
      EXPECT_THAT(copy, HasSubstr("thuong")) << copy;
    } else {
      EXPECT_THAT(copy, HasSubstr("thưởng")) << copy;
    }
    if (!(edits & vigil::cli::kEditNumber) && !dropped) {
      EXPECT_THAT(copy, HasSubstr("5.000.000")) << copy;
    }
    if (edits & vigil::cli::kEditNumber) {
      EXPECT_THAT(copy, Not(HasSubstr("5.000.000"))) << copy;
    }
  }
  // Every edit happens, and the copies differ.
  EXPECT_EQ(seen, (1u << vigil::cli::kNumCampaignEdits) - 1);
  EXPECT_GT(copies.size(), 190u);
  // Deterministic.
  EXPECT_EQ(variants_->Make(kSeed, 7), variants_->Make(kSeed, 7));
  EXPECT_EQ(variants_->Make("", 7), "");
}

TEST_F(CampaignVariantsTest, TeencodeComesFromTheTableReversed) {
  const auto& khong = variants_->TeencodeOf("không");
  EXPECT_THAT(khong, ::testing::Contains("ko"));
  EXPECT_TRUE(variants_->TeencodeOf("xyzzy").empty());
}

}  // namespace
