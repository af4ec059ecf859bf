// End-to-end tests of `vigil analyze`, `classify`, `eval` and `lexicon lint`
// over the test lexicon.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analyzers/analyzer.h"
#include "service/verdict_proto.h"
#include "tests/test_data.h"
#include "tests/tools/cli/run_vigil.h"

namespace {

using ::testing::HasSubstr;
using vigil::testing::Result;
using vigil::testing::RunVigil;

std::string Lexicons() {
  return "--lexicons " + vigil::testing::SourcePath("tests/fixtures/lexicon");
}

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

TEST(AnalyzeCliTest, ReadableVerdictWithHighlights) {
  Result r =
      RunVigil("analyze " + Lexicons() + " --no-color 'Thằng ngu, địt mẹ'", "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("verdict:  FLAGGED profanity insult"));
  EXPECT_THAT(r.out, HasSubstr("profanity=0.62(moderate)"));
  EXPECT_THAT(r.out,
              HasSubstr("\"địt mẹ\" = địt mẹ  weight 3.0 moderate  bytes "
                        "[13,24) chars [11,17)"));
  EXPECT_THAT(r.out,
              HasSubstr("post:     [Thằng ngu]{insult}, [địt mẹ]{profanity}"));
}

// A mild intensifier is scored and its severity shown, but it flags nothing
// and is not listed as a reason.
TEST(AnalyzeCliTest, MildIntensifierIsNotAReason) {
  Result r =
      RunVigil("analyze " + Lexicons() + " --no-color 'Thằng ngu vcl'", "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("verdict:  FLAGGED insult\n"));
  EXPECT_THAT(r.out, HasSubstr("profanity=0.62(mild)"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("vãi cả lồn")));
  EXPECT_THAT(r.out, HasSubstr("post:     [Thằng ngu]{insult} vcl"));
}

TEST(AnalyzeCliTest, CleanPost) {
  Result r = RunVigil("analyze " + Lexicons() + " --no-color du lịch", "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("verdict:  not flagged"));
  EXPECT_THAT(r.out, HasSubstr("hits:     none"));
}

TEST(AnalyzeCliTest, NoTextIsUsageError) {
  Result r = RunVigil("analyze " + Lexicons(), "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no TEXT given"));
}

TEST(AnalyzeCliTest, BrokenLexiconNamesFileAndLine) {
  const std::string dir =
      ::testing::TempDir() + "/vigil_broken_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::copy(vigil::testing::SourcePath("tests/fixtures/lexicon"),
                        dir, std::filesystem::copy_options::recursive);
  std::ofstream(dir + "/hate.tsv", std::ios::trunc)
      << "@category\thate\nbắc "
         "kỳ\t3\tfold\tmoderate\nre:(\t1\tfold\tmoderate\n";
  Result r = RunVigil("analyze --lexicons " + dir + " xin chào", "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(dir + "/hate.tsv:3: invalid regex '('"));
  EXPECT_TRUE(r.out.empty());
}

TEST(ClassifyCliTest, OneRowPerInputRowInOrderWithErrors) {
  const std::string input =
      "{\"id\": 1, \"text\": \"Thằng ngu vcl\"}\n"
      "not json\n"
      "{\"id\": \"b\", \"text\": \"du lịch Đà Lạt\"}\n"
      "{\"id\": 3}\n"
      "[1, 2]\n"
      "{\"id\": 4, \"text\": \"đ.m mày\"}\n";
  Result r =
      RunVigil("classify " + Lexicons() + " --input - --output -", input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<nlohmann::json> rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0]["id"], 1);
  EXPECT_EQ(rows[0]["flagged"], true);
  EXPECT_EQ(rows[0]["flagged_categories"], nlohmann::json({"insult"}));
  EXPECT_THAT(rows[0]["lexicon_version"].get<std::string>(),
              ::testing::StartsWith("test-1+"));
  // "vcl" is mild: scored, not a reason.
  EXPECT_EQ(rows[0]["severities"]["profanity"], "mild");
  EXPECT_EQ(rows[0]["severities"]["insult"], "moderate");
  EXPECT_EQ(rows[0]["severities"]["hate"], "none");
  ASSERT_EQ(rows[0]["hits"].size(), 1u);
  const nlohmann::json& m = rows[0]["hits"][0];
  EXPECT_EQ(m["category"], "insult");
  EXPECT_EQ(m["term"], "thằng ngu");
  EXPECT_EQ(m["severity"], "moderate");
  EXPECT_EQ(m["begin"], 0);
  EXPECT_EQ(m["end"], 11);
  EXPECT_EQ(m["begin_char"], 0);
  EXPECT_EQ(m["end_char"], 9);
  EXPECT_EQ(m["via"], nlohmann::json::array());
  EXPECT_NEAR(rows[0]["scores"]["insult"].get<double>(), 0.6225, 1e-4);

  EXPECT_THAT(rows[1]["error"].get<std::string>(), HasSubstr("invalid JSON"));
  EXPECT_EQ(rows[2]["id"], "b");
  EXPECT_EQ(rows[2]["flagged"], false);
  EXPECT_TRUE(rows[2]["hits"].empty());
  EXPECT_EQ(rows[3]["id"], 3);
  EXPECT_THAT(rows[3]["error"].get<std::string>(), HasSubstr("\"text\""));
  EXPECT_THAT(rows[4]["error"].get<std::string>(),
              HasSubstr("not a JSON object"));
  EXPECT_EQ(rows[5]["hits"][0]["via"],
            nlohmann::json({"teencode", "joined_separators"}));
  EXPECT_THAT(r.err, HasSubstr("6 rows, 2 flagged, 3 errors"));
}

// A classify row is the API's Verdict message: protobuf's JSON parser reads
// it back (unknown fields would fail) into exactly what the service builds
// for the same post.
TEST(ClassifyCliTest, RowIsTheApiVerdict) {
  const std::string text = "Thằng ngu, đ.m mày";
  Result r = RunVigil("classify " + Lexicons() + " --input - --output -",
                      "{\"id\": 7, \"text\": \"" + text + "\"}\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<nlohmann::json> rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["id"], 7);
  rows[0].erase("id");
  vigil::v1::Verdict printed;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(rows[0].dump(), &printed)
          .ok())
      << rows[0].dump();

  auto analyzer = vigil::Analyzer::Load(
      vigil::testing::SourcePath("tests/fixtures/lexicon"));
  ASSERT_TRUE(analyzer.ok()) << analyzer.status();
  vigil::v1::Verdict built;
  vigil::service::ToProto(**analyzer, (*analyzer)->Analyze(text), &built);
  ASSERT_GE(built.hits_size(), 2);
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(built, printed)) << diff;
}

TEST(ClassifyCliTest, FilesInAndOut) {
  const std::string in =
      ::testing::TempDir() + "/vigil_in_" + std::to_string(getpid()) + ".jsonl";
  const std::string out = in + ".out";
  std::ofstream(in) << "{\"id\":\"x\",\"text\":\"óc chó\"}\n";
  Result r = RunVigil(
      "classify " + Lexicons() + " --input " + in + " --output " + out, "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream f(out);
  std::string line;
  ASSERT_TRUE(std::getline(f, line));
  EXPECT_EQ(nlohmann::json::parse(line)["flagged_categories"],
            nlohmann::json({"insult"}));
}

TEST(ClassifyCliTest, MissingFlagsAreUsageErrors) {
  EXPECT_EQ(RunVigil("classify --input -", "").exit_code, 2);
  EXPECT_EQ(
      RunVigil("classify --input /nonexistent --output - " + Lexicons(), "")
          .exit_code,
      1);
}

// Rows are classified by several threads and written in input order: the
// output is the same byte for byte with one thread and with three, on
// 9,000 rows (three rounds of 4,096 rows, the last one partial) mixing
// posts, ids of every JSON type and malformed rows.
TEST(ClassifyCliTest, ThreadsChangeNothingInTheOutput) {
  const char* const kPosts[] = {"Thằng ngu vcl", "du lịch Đà Lạt", "đ.m mày",
                                "óc chó", "hôm nay trời đẹp"};
  std::string input;
  for (int i = 0; i < 9000; ++i) {
    switch (i % 7) {
      case 0:
        input += "not json\n";
        break;
      case 1:
        input += "{\"id\": [" + std::to_string(i) + "]}\n";
        break;
      case 2:
        input += "{\"id\": \"s" + std::to_string(i) + "\", \"text\": \"" +
                 kPosts[i % 5] + " " + std::to_string(i) + "\"}\n";
        break;
      default:
        input += "{\"id\": " + std::to_string(i) + ", \"text\": \"" +
                 kPosts[i % 5] + "\"}\n";
    }
  }
  Result one = RunVigil(
      "classify " + Lexicons() + " --threads 1 --input - --output -", input);
  Result three = RunVigil(
      "classify " + Lexicons() + " --threads 3 --input - --output -", input);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(three.exit_code, 0) << three.err;
  EXPECT_EQ(JsonLines(one.out).size(), 9000u);
  EXPECT_TRUE(one.out == three.out);
  EXPECT_THAT(three.err, HasSubstr("9000 rows"));
  EXPECT_EQ(
      RunVigil("classify " + Lexicons() + " --threads 0 --input - --output -",
               "")
          .exit_code,
      2);
}

TEST(EvalCliTest, ViHsdFormatOnFixture) {
  const std::string path =
      ::testing::TempDir() + "/vigil_eval_" + std::to_string(getpid()) + ".csv";
  // gold: HATE, OFFENSIVE, CLEAN, CLEAN; predicted: HATE (insult),
  // OFFENSIVE (profanity), CLEAN, HATE (óc chó is an insult).
  std::ofstream(path) << "free_text,label_id\n"
                         "\"thằng ngu, óc chó\",2\n"
                         "địt mẹ,1\n"
                         "hôm nay trời đẹp,0\n"
                         "óc chó,0\n";
  Result r = RunVigil("eval --format vihsd " + Lexicons() + " " + path, "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(vihsd): 4 rows"));
  // CLEAN: precision 1/1, recall 1/2; OFFENSIVE 1/1, 1/1; HATE 1/2, 1/1.
  EXPECT_THAT(r.out,
              HasSubstr("CLEAN           1.0000  0.5000  0.6667        2"));
  EXPECT_THAT(r.out,
              HasSubstr("OFFENSIVE       1.0000  1.0000  1.0000        1"));
  EXPECT_THAT(r.out,
              HasSubstr("HATE            0.5000  1.0000  0.6667        1"));
  EXPECT_THAT(r.out, HasSubstr("macro-F1    0.7778"));
}

TEST(EvalCliTest, ViHosFormatCountsSpans) {
  const std::string path = ::testing::TempDir() + "/vigil_vihos_" +
                           std::to_string(getpid()) + ".csv";
  // "mày ngu" with "ngu" (chars 4-6) labeled; ngu alone does not flag, but
  // its span is still counted at the character level.
  std::ofstream(path) << ",content,index_spans\n"
                         "0,óc chó,\"[0, 1, 2, 3, 4, 5]\"\n"
                         "1,xin chào,[]\n";
  Result r = RunVigil("eval --format vihos " + Lexicons() + " " + path, "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out,
              HasSubstr("TOXIC           1.0000  1.0000  1.0000        1"));
  EXPECT_THAT(r.out,
              HasSubstr("character spans: precision 1.0000  recall 1.0000"));
}

TEST(EvalCliTest, BadFormatAndMissingColumns) {
  EXPECT_EQ(RunVigil("eval --format nope x.csv", "").exit_code, 2);
  const std::string path =
      ::testing::TempDir() + "/vigil_bad_" + std::to_string(getpid()) + ".csv";
  std::ofstream(path) << "a,b\n1,2\n";
  Result r = RunVigil("eval --format vihsd " + Lexicons() + " " + path, "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("not a known dataset (vihsd): expected "
                               "columns content+index_spans (vihos), "
                               "free_text+label_id (vihsd)"));
}

TEST(LintCliTest, CleanAndBroken) {
  Result ok = RunVigil(
      "lexicon lint " + vigil::testing::SourcePath("tests/fixtures/lexicon"),
      "");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("is clean"));

  const std::string dir =
      ::testing::TempDir() + "/vigil_lint_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::copy(vigil::testing::SourcePath("tests/fixtures/lexicon"),
                        dir, std::filesystem::copy_options::recursive);
  std::ofstream(dir + "/sexual.tsv", std::ios::trunc)
      << "@category\tsexual\nđịt\t2\tfold\tmoderate\nđịt\t3\tfold\tmoderate\nre"
         ":a(\t1\tfold\tmoderate\n"
         "đĩ\t2\tfold\tmoderate\n";
  std::ofstream(dir + "/common_words.txt", std::ios::trunc) << "đi\n";
  Result bad = RunVigil("lexicon lint " + dir, "");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr(dir + "/sexual.tsv:3: duplicate term 'địt'"));
  EXPECT_THAT(bad.err, HasSubstr(dir + "/sexual.tsv:4: invalid regex 'a('"));
  EXPECT_THAT(bad.err, HasSubstr(dir + "/sexual.tsv:5: fold-allowed term 'đĩ' "
                                       "folds to 'di'"));
  EXPECT_THAT(bad.err, HasSubstr("3 problems"));
}

}  // namespace
