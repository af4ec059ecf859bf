// `vigil backtest`: a candidate lexicon against a SQLite store, as a table
// and as JSON, and its usage and data errors.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "analyzers/analyzer.h"
#include "service/store/flag_store.h"
#include "service/verdict_proto.h"
#include "tests/test_data.h"
#include "tests/tools/cli/run_vigil.h"
#include "vigil/v1/admin.pb.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using vigil::testing::Result;
using vigil::testing::RunVigil;
using vigil::testing::SourcePath;

class BacktestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("vigil_backtest_cli_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_url_ = "sqlite:" + (dir_ / "vigil.db").string();
    lexicons_ = SourcePath("tests/fixtures/lexicon");
    auto analyzer = vigil::Analyzer::Load(lexicons_);
    ASSERT_TRUE(analyzer.ok()) << analyzer.status();
    auto store = vigil::service::OpenFlagStore(store_url_);
    ASSERT_TRUE(store.ok()) << store.status();
    std::vector<vigil::service::FlaggedPost> posts;
    for (const char* text : {"đồ súc vật", "súc vật hoang dã", "thằng ngu"}) {
      vigil::service::FlaggedPost p;
      p.post.set_source("fb");
      p.post.set_id(text);
      p.post.set_text(text);
      vigil::service::ToProto(**analyzer, (*analyzer)->Analyze(text),
                              &p.verdict);
      posts.push_back(p);
    }
    ASSERT_TRUE((*store)->RecordFlagged(posts).ok());
    // The candidate: the test lexicon without "súc vật".
    candidate_ =
        vigil::testing::CopyLexicon(lexicons_, (dir_ / "candidate").string());
    vigil::testing::EditLines(candidate_ + "/insult.tsv", "súc vật\t", "");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Args() const {
    return "backtest --store " + store_url_ + " --baseline " + lexicons_ +
           " --lexicons " + candidate_;
  }

  fs::path dir_;
  std::string candidate_, store_url_, lexicons_;
};

TEST_F(BacktestCliTest, PrintsWhatTheCandidateChanges) {
  const Result r = RunVigil(Args(), "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("3 items re-analyzed"));
  EXPECT_THAT(r.out, HasSubstr("no longer flagged 2"));
  EXPECT_THAT(r.out, HasSubstr("terms whose items changed: 1"));
  EXPECT_THAT(r.out, HasSubstr("súc vật: items 2 -> 0, +0 -2"));
}

TEST_F(BacktestCliTest, PrintsTheReportAsJson) {
  const Result r = RunVigil(Args() + " --json --max-item-ids 1", "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  vigil::v1::BacktestReport report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &report).ok())
      << r.out;
  EXPECT_EQ(report.items(), 3);
  EXPECT_EQ(report.no_longer_flagged(), 2);
  EXPECT_EQ(report.no_longer_flagged_item_ids_size(), 1);
  EXPECT_EQ(report.directory(), candidate_);
  EXPECT_EQ(report.categories_size(), 8);
}

TEST_F(BacktestCliTest, ReportsBadArgumentsAndData) {
  struct Case {
    std::string args;
    int exit_code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"backtest --lexicons " + candidate_, 2, "--store"},
      {"backtest --store " + store_url_, 2, "--lexicons"},
      {Args() + " --since 3x", 2, "--since"},
      {Args() + " --max-item-ids -1", 2, "--max-item-ids"},
      {"backtest --store sqlite:" + (dir_ / "none.db").string() +
           " --lexicons " + candidate_,
       1, "no such file"},
      {"backtest --store " + store_url_ + " --lexicons " +
           (dir_ / "nowhere").string(),
       1, "manifest.tsv"},
  };
  for (const Case& c : cases) {
    const Result r = RunVigil(c.args, "");
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.says)) << c.args;
  }
  EXPECT_FALSE(fs::exists(dir_ / "none.db"));  // not created
}

}  // namespace
