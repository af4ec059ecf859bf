// `vigil eval`: every row scored by a model that never saw its text, rows
// the model learned from left out, and clear errors for bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "service/store/flag_store.h"
#include "tests/test_data.h"
#include "tests/tools/cli/run_vigil.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using vigil::testing::Result;
using vigil::testing::RunVigil;
using vigil::testing::SourcePath;

std::string Lexicon() {
  return " --lexicons " + SourcePath("tests/fixtures/lexicon");
}
std::string Tiny() { return SourcePath("tests/fixtures/vihos_tiny.csv"); }

// Training and evaluating on the same comments: cross-fitting still scores
// each one with a model refitted without it, and says so.
TEST(EvalCliTest, CrossfitScoresEveryRowOutOfFold) {
  // A ViHSD-style file sharing comments with the training file: it picks
  // the learned thresholds, on out-of-fold scores.
  const fs::path vihsd =
      fs::path(::testing::TempDir()) /
      ("vigil_eval_tune_" + std::to_string(getpid()) + ".csv");
  std::ofstream(vihsd) << "free_text,label_id\n"
                          "thằng này ngu quá,2\n"
                          "hôm nay trời đẹp quá,0\n"
                          "một câu hoàn toàn mới,0\n";
  Result r =
      RunVigil("eval" + Lexicon() +
                   " --crossfit 3 --min-df 1 --min-positives 1 --train " +
                   Tiny() + " " + Tiny() + " " + vihsd.string(),
               "");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("learned thresholds picked on out-of-fold "
                               "scores (3-class macro-F1"));
  EXPECT_THAT(r.out, HasSubstr("  learned\tinsult\tlearned/insult.tsv\t"));
  EXPECT_THAT(r.out, HasSubstr("refitted on 3 folds"));
  EXPECT_THAT(r.out, HasSubstr("rows scored by a model that learned their "
                               "text: 0"));
  EXPECT_THAT(r.err, HasSubstr("fold 3/3 fitted on"));
  // The variants are scored too.
  EXPECT_THAT(r.out, HasSubstr("unaccented"));
  EXPECT_THAT(r.out, HasSubstr("dotted (n.g.u)"));
  // Analysts' decisions join the training comments of the folds.
  const std::string url =
      "sqlite:" + (fs::path(::testing::TempDir()) /
                   ("vigil_eval_store_" + std::to_string(getpid()) + ".db"))
                      .string();
  {
    auto store = vigil::service::OpenFlagStore(url);
    ASSERT_TRUE(store.ok()) << store.status();
    vigil::service::FlaggedPost p;
    p.post.set_source("fb");
    p.post.set_id("1");
    p.post.set_text("thằng này hát hay quá");
    p.verdict.add_flagged_categories("insult");
    ASSERT_TRUE((*store)->RecordFlagged({&p, 1}).ok());
    vigil::v1::ClaimRequest claim;
    claim.set_item_id(1);
    ASSERT_TRUE((*store)->Claim(claim, "ann").ok());
    vigil::v1::DecideRequest decide;
    decide.set_item_id(1);
    decide.set_decision(vigil::v1::DECISION_DISMISSED);
    ASSERT_TRUE((*store)->Decide(decide, "ann", "test").ok());
  }
  // Comments fitted on, summed over the folds.
  auto fitted = [](const std::string& err) {
    int total = 0;
    for (size_t at = err.find("/3 fitted on "); at != std::string::npos;
         at = err.find("/3 fitted on ", at + 1)) {
      total += std::stoi(err.substr(at + 13));
    }
    return total;
  };
  Result with = RunVigil(
      "eval" + Lexicon() + " --crossfit 3 --min-df 1 --min-positives 1 " +
          "--train " + Tiny() + " --from-store " + url + " --store-weight 3 " +
          Tiny() + " " + vihsd.string(),
      "");
  ASSERT_EQ(with.exit_code, 0) << with.err << with.out;
  EXPECT_GT(fitted(r.err), 0);
  // The decision counted 3 times, in one fold (one text): the other two
  // folds fit on its 3 copies.
  EXPECT_EQ(fitted(with.err), fitted(r.err) + 6);
  EXPECT_THAT(with.out, HasSubstr("rows scored by a model that learned their "
                                  "text: 0"));
}

// Without cross-fitting, rows whose text the model learned from are left out
// of the figures, matched on normalized text (case and tone placement do
// not hide a copy).
TEST(EvalCliTest, TrainedOnRowsAreLeftOut) {
  const fs::path dir = fs::path(::testing::TempDir()) /
                       ("vigil_eval_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path eval = dir / "eval.csv";
  std::ofstream(eval) << "free_text,label_id\n"
                         "THẰNG NÀY NGU QUÁ,2\n"  // a training comment
                         "một bình luận mới hoàn toàn,0\n";
  Result r = RunVigil(
      "eval" + Lexicon() + " --trained-on " + Tiny() + " " + eval.string(), "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(vihsd): 1 rows, 1 left out (text learned "
                               "from)"));
}

TEST(EvalCliTest, BadInput) {
  Result r = RunVigil("eval" + Lexicon() + " --crossfit 3 " + Tiny(), "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--crossfit needs --train"));
  r = RunVigil(
      "eval" + Lexicon() + " --crossfit 1 --train " + Tiny() + " " + Tiny(),
      "");
  EXPECT_EQ(r.exit_code, 2);
  const fs::path odd = fs::path(::testing::TempDir()) /
                       ("vigil_eval_odd_" + std::to_string(getpid()) + ".csv");
  std::ofstream(odd) << "a,b\n1,2\n";
  r = RunVigil("eval" + Lexicon() + " " + odd.string(), "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("not a known dataset"));
  // A measuring-only dataset cannot be trained on, even for cross-fitting.
  const fs::path vihsd =
      fs::path(::testing::TempDir()) /
      ("vigil_eval_vihsd_" + std::to_string(getpid()) + ".csv");
  std::ofstream(vihsd) << "free_text,label_id\nthằng ngu,2\n";
  r = RunVigil("eval" + Lexicon() + " --crossfit 2 --train " + vihsd.string() +
                   " " + Tiny(),
               "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("may not teach shipped weights"));
}

// The shipped lexicons on data they never learned from: ViHOS test minus
// the few comments that also occur in the training files (the eval leaves
// them out and counts them). Floors a little under the figures in the
// README, so a regression fails; a skip in CI fails too (../shared is
// there).
TEST(ShippedQualityTest, HeldOutViHosTest) {
  if (!vigil::testing::SharedPath("data/vihos/test.csv") ||
      !vigil::testing::SharedPath("data/thienit84/dataset.csv")) {
    VIGIL_SKIP_WITHOUT_SHARED("../shared/data is absent: no held-out data");
  }
  std::string train = vigil::testing::kShippedTrainingArgs;
  train = train.substr(std::string("--train ").size());
  train = train.substr(0, train.find(' '));
  const std::string cmd = "cd " + SourcePath("") + " && " +
                          std::string(VIGIL_BINARY) + " eval --trained-on " +
                          train + " ../shared/data/vihos/test.csv";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), pipe)) out.append(buf, n);
  ASSERT_EQ(pclose(pipe), 0) << out;
  EXPECT_THAT(out, HasSubstr("rows scored by a model that learned their "
                             "text: 0"));
  // "binary (toxic vs clean):" ... "macro-F1    0.xxxx"
  const size_t binary = out.find("binary (toxic vs clean)");
  ASSERT_NE(binary, std::string::npos) << out;
  const size_t f1 = out.find("macro-F1", binary);
  ASSERT_NE(f1, std::string::npos) << out;
  const double macro_f1 = std::stod(out.substr(f1 + 8, 12));
  RecordProperty("vihos_test_binary_macro_f1", std::to_string(macro_f1));
  EXPECT_GE(macro_f1, 0.77) << out;
}

}  // namespace
