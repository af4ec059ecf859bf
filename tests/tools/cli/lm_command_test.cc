// End-to-end tests of `vigil lm build|eval` and `vigil normalize
// --restore`, run as a subprocess.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/test_data.h"
#include "tests/tools/cli/run_vigil.h"

namespace {

using ::testing::HasSubstr;
using vigil::testing::Result;
using vigil::testing::RunVigil;

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/lm_cli_" + std::to_string(getpid()) + "_" +
         name;
}

TEST(NormalizeRestoreCliTest, RestoresWhatTheModelIsSureOf) {
  Result r = RunVigil("normalize --restore",
                      "hom nay di choi vui qua\nHôm nay đi chơi\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hôm nay đi chơi vui quá\nhôm nay đi chơi\n");
}

TEST(NormalizeRestoreCliTest, JsonShowsCandidatesAndConfidence) {
  Result r = RunVigil("normalize --restore --json", "di hoc\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["canonical"], "di hoc");  // the views are unchanged
  EXPECT_EQ(j["restored"], "đi học");
  const nlohmann::json& di = j["tokens"][0]["restoration"];
  EXPECT_EQ(di["best"], "đi");
  EXPECT_EQ(di["restored"], true);
  EXPECT_GE(di["confidence"].get<double>(), 0.9);
  EXPECT_THAT(di["candidates"].get<std::vector<std::string>>(),
              ::testing::Contains("đi"));
}

TEST(NormalizeRestoreCliTest, BadModelOrConfidenceIsAnError) {
  Result missing =
      RunVigil("normalize --restore --lm /nonexistent/lm.tsv.gz", "x\n");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/lm.tsv.gz"));
  Result bad = RunVigil("normalize --restore --min-confidence 2", "x\n");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--min-confidence"));
}

TEST(LmCliTest, BuildsAModelThatRestores) {
  const std::string corpus = TempPath("corpus.txt");
  {
    std::ofstream f(corpus);
    f << "== a title line, skipped\n";
    for (int i = 0; i < 5; ++i) {
      f << "Hôm nay con đi học. Con thương má lắm.\n";
    }
  }
  const std::string model = TempPath("model.tsv.gz");
  Result built = RunVigil("lm build --min-syllable 1 --min-pair 1 --corpus " +
                              corpus + " --out " + model,
                          "");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_THAT(built.out, HasSubstr("5 posts"));
  Result restored =
      RunVigil("normalize --restore --lm " + model, "hom nay con di hoc\n");
  EXPECT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(restored.out, "hôm nay con đi học\n");
  std::remove(corpus.c_str());
  std::remove(model.c_str());
}

TEST(LmCliTest, FrequencyListsGiveSyllablesAPrior) {
  const std::string corpus = TempPath("prior_corpus.txt");
  const std::string list = TempPath("prior_list.txt");
  const std::string bad = TempPath("prior_bad.txt");
  std::ofstream(corpus) << "Con thương mà lắm.\n";
  std::ofstream(list) << "mà 7\nmá 900\nhai chữ 4\n";
  std::ofstream(bad) << "mà 7\nmá nhiều\n";
  const std::string model = TempPath("prior.tsv");
  Result built =
      RunVigil("lm build --min-syllable 1 --min-pair 1 --corpus " + corpus +
                   " --frequencies " + list + " --out " + model,
               "");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  std::ifstream in(model);
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("1\tmà\tma\t1\t7\n"));  // count, prior
  EXPECT_THAT(text, HasSubstr("1\tlắm\tlam\t1\t0\n"));
  EXPECT_THAT(text, HasSubstr("syllable priors: "));
  Result refused = RunVigil("lm build --corpus " + corpus + " --frequencies " +
                                bad + " --out " + model,
                            "");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr(bad + ":2: expected 'word count'"));
  for (const std::string& f : {corpus, list, bad, model}) {
    std::remove(f.c_str());
  }
}

TEST(LmCliTest, RefusesMeasuringOnlyData) {
  auto vihsd = vigil::testing::SharedPath("data/vihsd/dev.csv");
  if (!vihsd) VIGIL_SKIP_WITHOUT_SHARED("ViHSD is in ../shared");
  const std::string model = TempPath("refused.tsv.gz");
  Result r = RunVigil(
      "lm build --corpus /dev/null --comments " + *vihsd + " --out " + model,
      "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("measuring only"));
}

TEST(LmCliTest, EvalMeasuresRestorationOfStrippedPosts) {
  auto victsd = vigil::testing::SharedPath("data/victsd/train.csv");
  if (!victsd) VIGIL_SKIP_WITHOUT_SHARED("ViCTSD is in ../shared");
  Result r = RunVigil("lm eval " + *victsd, "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("words stripped of their marks"));
  // The shipped model restores most words right where it is sure.
  const size_t at = r.out.find("restored words right");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::stod(r.out.substr(at + 20)), 0.9) << r.out;
  // Posts whose text the model was counted from are not held out.
  Result seen = RunVigil("lm eval --trained-on " + *victsd + " " + *victsd, "");
  ASSERT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_THAT(seen.out, HasSubstr(": 0 accented posts"));
}

}  // namespace
