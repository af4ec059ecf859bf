// Loading and linting lexicon directories: every problem is reported as
// file:line, and a broken lexicon yields no snapshot.
#include "analyzers/match/lexicon.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "analyzers/analyzer.h"
#include "tests/test_data.h"

namespace vigil::match {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

// A copy of the test lexicon in a fresh directory, with `overrides`
// (file name → contents) written over it.
std::string MakeLexiconDir(
    const std::string& name,
    const std::map<std::string, std::string>& overrides) {
  const fs::path dir = fs::path(::testing::TempDir()) /
                       ("vigil_lex_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::copy(testing::SourcePath("tests/fixtures/lexicon"), dir,
           fs::copy_options::recursive);
  for (const auto& [file, contents] : overrides) {
    std::ofstream(dir / file, std::ios::binary | std::ios::trunc) << contents;
  }
  return dir.string();
}

std::vector<std::string> LoadProblems(const std::string& dir) {
  std::vector<LexiconProblem> problems;
  auto analyzer = Analyzer::Load(dir, &problems);
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(p.where + ": " + p.message);
  EXPECT_EQ(analyzer.ok(), problems.empty());
  return out;
}

struct BadCase {
  const char* name;
  std::map<std::string, std::string> files;
  std::string expected;  // substring of one problem, with file:line
};

class LexiconErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(LexiconErrorTest, ReportsFileAndLine) {
  const std::string dir = MakeLexiconDir(GetParam().name, GetParam().files);
  std::vector<std::string> problems = LoadProblems(dir);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  EXPECT_THAT(all, HasSubstr(GetParam().expected)) << all;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LexiconErrorTest,
    ::testing::Values(
        BadCase{
            "bad_weight",
            {{"insult.tsv", "@category\tinsult\nngu\theavy\tfold\tmoderate\n"}},
            "insult.tsv:2: weight 'heavy' must be a number in (0, 10]"},
        BadCase{
            "weight_out_of_range",
            {{"insult.tsv", "@category\tinsult\nngu\t11\tfold\tmoderate\n"}},
            "insult.tsv:2: weight '11'"},
        BadCase{"bad_fold",
                {{"insult.tsv", "@category\tinsult\nngu\t1\tmaybe\tmild\n"}},
                "insult.tsv:2: fold column 'maybe'"},
        BadCase{"bad_severity",
                {{"insult.tsv", "@category\tinsult\nngu\t1\tfold\tawful\n"}},
                "insult.tsv:2: severity 'awful' must be mild, moderate or "
                "severe"},
        BadCase{"missing_severity",
                {{"insult.tsv", "@category\tinsult\nngu\t1\tfold\n"}},
                "insult.tsv:2: expected "
                "term<TAB>weight<TAB>fold|nofold<TAB>mild|moderate|severe"},
        BadCase{"manifest_bad_min_severity",
                {{"manifest.tsv",
                  "version\tv\nteencode\tteencode.tsv\n"
                  "min_severity\t*\tsome\n"}},
                "manifest.tsv:3: severity 'some' must be mild, moderate or "
                "severe"},
        BadCase{"manifest_min_severity_category",
                {{"manifest.tsv",
                  "version\tv\nteencode\tteencode.tsv\n"
                  "min_severity\tpolitics\tmild\n"}},
                "manifest.tsv:3: unknown category 'politics'"},
        BadCase{"columns",
                {{"insult.tsv", "@category\tinsult\n# c\nngu 1 fold\n"}},
                "insult.tsv:3: expected term<TAB>weight<TAB>fold|nofold"},
        BadCase{"duplicate",
                {{"insult.tsv",
                  "@category\tinsult\nngu\t1\tfold\tmoderate\nngu\t2\tfold\tmod"
                  "erate\n"}},
                "insult.tsv:3: duplicate term 'ngu' (first at "},
        BadCase{"invalid_regex",
                {{"threat.tsv",
                  "@category\tthreat\nre:chém (chết\t3\tnofold\tmoderate\n"}},
                "threat.tsv:2: invalid regex 'chém (chết': missing )"},
        BadCase{"not_canonical_tone",
                {{"insult.tsv", "@category\tinsult\nhoà\t1\tfold\tmoderate\n"}},
                "insult.tsv:2: 'hoà' is not in canonical form; the normalizer "
                "turns it into 'hòa'"},
        BadCase{"not_canonical_teencode",
                {{"insult.tsv", "@category\tinsult\nvcl\t1\tfold\tmoderate\n"}},
                "insult.tsv:2: 'vcl' is not in canonical form"},
        BadCase{"not_canonical_case",
                {{"insult.tsv", "@category\tinsult\nNgu\t1\tfold\tmoderate\n"}},
                "insult.tsv:2: 'Ngu' is not in canonical form"},
        BadCase{
            "punctuation_term",
            {{"insult.tsv", "@category\tinsult\nngu!\t1\tfold\tmoderate\n"}},
            "insult.tsv:2: 'ngu!' must be syllables"},
        BadCase{"wrong_header",
                {{"insult.tsv", "@category\thate\nngu\t1\tfold\tmoderate\n"}},
                "insult.tsv:1: the first line must be '@category<TAB>insult'"},
        BadCase{"unknown_allow_category",
                {{"allowlist.tsv", "@allowlist\nngu ngơ\tinsults\n"}},
                "allowlist.tsv:2: unknown category 'insults'"},
        BadCase{"manifest_unknown_category",
                {{"manifest.tsv",
                  "version\tv\nteencode\tteencode.tsv\n"
                  "category\tpolitics\tx.tsv\t0.5\t-2\n"}},
                "manifest.tsv:3: unknown category 'politics'"},
        BadCase{"manifest_language_model_confidence",
                {{"manifest.tsv",
                  "version\tv\nteencode\tteencode.tsv\n"
                  "language_model\tlm.tsv\t0.4\n"}},
                "manifest.tsv:3: min_confidence '0.4' must be a number above "
                "0.5, at most 1"},
        BadCase{"manifest_language_model_columns",
                {{"manifest.tsv",
                  "version\tv\nteencode\tteencode.tsv\n"
                  "language_model\tlm.tsv\n"}},
                "manifest.tsv:3: expected: "
                "language_model<TAB>file<TAB>min_confidence"},
        BadCase{"manifest_missing_category",
                {{"manifest.tsv", "version\tv\nteencode\tteencode.tsv\n"}},
                "manifest.tsv: category 'profanity' is missing"},
        BadCase{"manifest_bad_threshold",
                {{"manifest.tsv",
                  "version\tv\nteencode\tteencode.tsv\n"
                  "category\tspam\tspam.tsv\t1.5\t-2\n"}},
                "manifest.tsv:3: threshold '1.5' must be a number between 0 "
                "and 1"},
        BadCase{"learned_header",
                {{"learned/insult.tsv", "@learned\tinsult\n"}},
                "insult.tsv:1: the first line must be '@learned<TAB>insult"
                "<TAB>bias=<number>[<TAB>length_norm=<number>]'"},
        BadCase{"learned_bad_length_norm",
                {{"learned/insult.tsv",
                  "@learned\tinsult\tbias=-1\tlength_norm=-3\n"}},
                "insult.tsv:1: the first line must be '@learned"},
        BadCase{
            "learned_zero_weight",
            {{"learned/insult.tsv", "@learned\tinsult\tbias=-2\nkhùng\t0\n"}},
            "insult.tsv:2: weight '0' must be a non-zero number in "
            "[-20, 20]"},
        BadCase{
            "learned_not_canonical",
            {{"learned/insult.tsv", "@learned\tinsult\tbias=-2\nKhùng\t1\n"}},
            "insult.tsv:2: 'Khùng' is not in canonical form"},
        BadCase{"missing_file",
                {{"manifest.tsv",
                  "version\tv\nteencode\tteencode.tsv\n"
                  "category\tspam\tnope.tsv\t0.5\t-2\n"}},
                "nope.tsv: cannot read category file"}),
    [](const auto& info) { return info.param.name; });

TEST(LexiconLoadTest, ReportsEveryProblemNotJustTheFirst) {
  const std::string dir = MakeLexiconDir(
      "many", {{"insult.tsv",
                "@category\tinsult\nngu\tx\tfold\tmoderate\nhoà\t1\tfold\tmoder"
                "ate\nngu2\t1\tno\tmoderate\n"}});
  std::vector<std::string> problems = LoadProblems(dir);
  EXPECT_GE(problems.size(), 3u);
}

TEST(LexiconLoadTest, BrokenLexiconLeavesTheServingSnapshotAlone) {
  auto good = Analyzer::Load(testing::SourcePath("tests/fixtures/lexicon"));
  ASSERT_TRUE(good.ok()) << good.status();
  const std::string dir = MakeLexiconDir(
      "broken",
      {{"insult.tsv", "@category\tinsult\nngu\tx\tfold\tmoderate\n"}});
  auto bad = Analyzer::Load(dir);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("insult.tsv:2"));
  EXPECT_TRUE((*good)->Analyze("óc chó").verdict.flagged);
}

// The fixture's manifest with a language_model line naming `file`.
std::string ManifestWithModel(const std::string& file) {
  std::ifstream in(testing::SourcePath("tests/fixtures/lexicon/manifest.tsv"),
                   std::ios::binary);
  std::stringstream text;
  text << in.rdbuf() << "language_model\t" << file << "\t0.9\n";
  return text.str();
}

TEST(LexiconLoadTest, LanguageModelProblemsNameTheFile) {
  // Missing, and malformed (file:line from the model's parser).
  EXPECT_THAT(
      LoadProblems(MakeLexiconDir(
          "lm_missing", {{"manifest.tsv", ManifestWithModel("no.gz")}})),
      ElementsAre(HasSubstr("no.gz: cannot read language model")));
  EXPECT_THAT(LoadProblems(MakeLexiconDir(
                  "lm_bad", {{"manifest.tsv", ManifestWithModel("lm.tsv")},
                             {"lm.tsv", "@lm\tdiscount=0.75\nnot a line\n"}})),
              ElementsAre(HasSubstr("lm.tsv:2")));
}

TEST(LexiconLoadTest, LanguageModelReadsUnaccentedPostsAndChangesTheVersion) {
  // A model of one sentence: "đồ ngu" is the only reading of "do ngu".
  const std::string model =
      "@lm\tdiscount=0.75\n1\t<s>\t<s>\t50\n1\tđồ\tdo\t50\n1\tngu\tngu\t50\n"
      "1\tđó\tdo\t1\n2\t<s>\tđồ\t50\n2\tđồ\tngu\t50\n2\tngu\t<s>\t50\n";
  const std::string dir = MakeLexiconDir(
      "lm_good",
      {{"manifest.tsv", ManifestWithModel("lm.tsv")}, {"lm.tsv", model}});
  auto with = Analyzer::Load(dir);
  ASSERT_TRUE(with.ok()) << with.status();
  auto without = Analyzer::Load(testing::SourcePath("tests/fixtures/lexicon"));
  ASSERT_TRUE(without.ok());
  EXPECT_NE((*with)->version(), (*without)->version());
  ASSERT_NE((*with)->language_model(), nullptr);
  EXPECT_EQ((*without)->language_model(), nullptr);
  EXPECT_EQ((*with)->Read("do ngu").canonical(), "đồ ngu");
  EXPECT_EQ((*without)->Read("do ngu").canonical(), "do ngu");
  // A post with diacritics elsewhere keeps its bare words as written.
  EXPECT_EQ((*with)->Read("do ngu thật").canonical(), "do ngu thật");
}

// A learned lexicon has some 10^5 n-grams, so its terms keep only their
// text (Term::syllables): their syllables, source line and matching must
// still be those of the file.
TEST(LexiconLoadTest, LearnedTermsKeepTextAndSourceLine) {
  const std::string dir = MakeLexiconDir(
      "learned_terms",
      {{"learned/insult.tsv",
        "# comment\n@learned\tinsult\tbias=-2\nkhùng\t3\nđồ khùng điên\t4\n"}});
  auto analyzer = Analyzer::Load(dir);
  ASSERT_TRUE(analyzer.ok()) << analyzer.status();
  const Term* phrase = nullptr;
  const Term* curated = nullptr;
  for (const Term& t : (*analyzer)->lexicon().terms()) {
    if (t.learned && t.text == "đồ khùng điên") phrase = &t;
    if (!t.learned && !t.is_regex && t.syllables.size() == 2) curated = &t;
  }
  ASSERT_NE(phrase, nullptr);
  EXPECT_TRUE(phrase->syllables.empty());
  EXPECT_EQ(SyllableCount(*phrase), 3u);
  EXPECT_THAT(phrase->where.ToString(), HasSubstr("learned/insult.tsv:4"));
  std::ostringstream printed;
  printed << phrase->where;
  EXPECT_EQ(printed.str(), phrase->where.ToString());
  ASSERT_NE(curated, nullptr);
  EXPECT_EQ(SyllableCount(*curated), 2u);
  // The n-gram is found in a post, as one hit over its three words.
  const Analyzer::Result r = (*analyzer)->Analyze("mày đồ khùng điên");
  bool found = false;
  for (const Hit& h : r.verdict.hits) {
    found |= &(*analyzer)->lexicon().terms()[h.term] == phrase &&
             h.last_token - h.first_token == 2;
  }
  EXPECT_TRUE(found);
}

TEST(LexiconLoadTest, VersionChangesWithContent) {
  auto a = Analyzer::Load(MakeLexiconDir("v1", {}));
  auto b = Analyzer::Load(MakeLexiconDir(
      "v2", {{"spam.tsv", "@category\tspam\ninbox\t1.5\tfold\tmoderate\n"}}));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->version(), (*b)->version());
  EXPECT_EQ((*a)->version().substr(0, 7), "test-1+");
}

TEST(LexiconLintTest, TestLexiconIsCleanAndCollisionsAreReported) {
  auto normalizer = normalize::Normalizer::Create(
      {.teencode_path =
           testing::SourcePath("tests/fixtures/lexicon/teencode.tsv")});
  ASSERT_TRUE(normalizer.ok());
  EXPECT_TRUE(
      Lexicon::Lint(testing::SourcePath("tests/fixtures/lexicon"), **normalizer)
          .empty());
  // "đĩ" may fold, but folds to "di" like the common word "đi".
  const std::string dir = MakeLexiconDir(
      "collide",
      {{"sexual.tsv",
        "@category\tsexual\nđịt\t2\tfold\tmoderate\nđĩ\t2\tfold\tmoderate\n"},
       {"common_words.txt", "đi\n"}});
  std::vector<LexiconProblem> problems = Lexicon::Lint(dir, **normalizer);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].where, HasSubstr("sexual.tsv:3"));
  EXPECT_THAT(problems[0].message,
              HasSubstr("'đĩ' folds to 'di', as does the common word 'đi'"));
}

}  // namespace
}  // namespace vigil::match
