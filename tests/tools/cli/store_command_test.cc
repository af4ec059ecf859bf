// `vigil store backup|restore`: a round trip through the executable, the
// PostgreSQL answer, and usage and data errors with their exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "service/store/flag_store.h"
#include "tests/tools/cli/run_vigil.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using vigil::testing::Result;
using vigil::testing::RunVigil;

class StoreCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("vigil_store_cli_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = vigil::service::OpenFlagStore("sqlite:" + Path("live.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    vigil::service::FlaggedPost p;
    p.post.set_source("fb");
    p.post.set_id("1");
    p.post.set_text("mày là đồ óc chó");
    p.verdict.set_flagged(true);
    (*p.verdict.mutable_scores())["insult"] = 0.9;
    ASSERT_TRUE((*store)->RecordFlagged({&p, 1}).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const {
    return (dir_ / name).string();
  }

  fs::path dir_;
};

TEST_F(StoreCliTest, BackupAndRestoreRoundTrip) {
  Result backup = RunVigil("store backup --store sqlite:" + Path("live.db") +
                               " --to " + Path("backup.db"),
                           "");
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_THAT(backup.out, HasSubstr("1 items"));
  Result restore = RunVigil("store restore --from " + Path("backup.db") +
                                " --store sqlite:" + Path("new/vigil.db"),
                            "");
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_THAT(restore.out, HasSubstr("restored sqlite:"));
  auto store = vigil::service::OpenFlagStore("sqlite:" + Path("new/vigil.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  auto item = (*store)->GetItem(1);
  ASSERT_TRUE(item.ok()) << item.status();
  EXPECT_EQ(item->post().text(), "mày là đồ óc chó");
  // Again onto the now non-empty store: refused, then forced.
  Result again = RunVigil("store restore --from " + Path("backup.db") +
                              " --store sqlite:" + Path("new/vigil.db"),
                          "");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("--force"));
  Result forced =
      RunVigil("store restore --from " + Path("backup.db") +
                   " --store sqlite:" + Path("new/vigil.db") + " --force",
               "");
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
}

TEST_F(StoreCliTest, Errors) {
  std::ofstream(Path("notes.txt")) << "just text\n";
  struct Case {
    std::string args;
    int exit_code;
    const char* message;
  };
  const Case cases[] = {
      {"", 2, "usage: vigil store"},
      {"dump", 2, "unknown action 'dump'"},
      {"backup --to x.db", 2, "--store URL is required"},
      {"backup --store sqlite:" + Path("live.db"), 2, "--to FILE is required"},
      {"restore --store sqlite:x.db --to y.db", 2, "--from FILE is required"},
      {"backup --store mysql://db --to x.db", 1, "unknown store URL"},
      {"backup --store sqlite::memory: --to x.db", 1, "unknown store URL"},
      {"backup --store sqlite:" + Path("missing.db") + " --to x.db", 1,
       "no such file"},
      {"backup --store sqlite:" + Path("notes.txt") + " --to x.db", 1,
       "not a vigil store"},
      {"restore --from " + Path("missing.db") + " --store sqlite:y.db", 1,
       "no such file"},
      {"restore --from " + Path("notes.txt") + " --store sqlite:y.db", 1,
       "not a vigil store"},
      {"backup --store postgresql://vigil:secret@db/vigil --to x.dump", 1,
       "pg_dump --format=custom"},
      {"restore --from x.dump --store postgres://db/vigil", 1, "pg_restore"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    Result r = RunVigil("store " + c.args, "");
    EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.message));
    EXPECT_THAT(r.err, ::testing::Not(HasSubstr("secret")));
  }
  EXPECT_FALSE(fs::exists("x.db"));
  EXPECT_FALSE(fs::exists(Path("y.db")));
}

}  // namespace
