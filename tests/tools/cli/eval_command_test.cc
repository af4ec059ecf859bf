// `vigil eval`: every row scored by a model that never saw its text, rows
// the model learned from left out, and clear errors for bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

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
