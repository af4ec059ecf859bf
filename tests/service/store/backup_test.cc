// Backups of a SQLite store (service/store/backup.h): one taken while a
// writer keeps adding flagged posts and statistics holds exactly the
// transactions committed before it began and restores to an identical
// store; and the files and destinations it refuses.
#include "service/store/backup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "service/store/flag_store.h"
#include "service/store/schema.h"
#include "service/store/sql.h"

namespace vigil::service {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kBatch = 25;
constexpr int64_t kMinute0 = 1'700'000'000 / 60 * 60;

// Every row `sql` returns, as text: equal text, equal rows.
std::string Rows(SqlConnection& db, const std::string& sql,
                 std::vector<SqlValue> params = {}) {
  auto rows = db.Query(sql, params);
  EXPECT_TRUE(rows.ok()) << rows.status();
  if (!rows.ok()) return "";
  std::string out;
  for (const SqlRow& row : *rows) {
    for (const SqlValue& v : row) {
      if (v.is_null()) {
        out += "NULL";
      } else if (const auto* d = std::get_if<double>(&v.value)) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.17g", *d);
        out += buffer;
      } else if (std::holds_alternative<int64_t>(v.value)) {
        out += std::to_string(v.AsInt());
      } else {
        out += std::to_string(v.AsString().size()) + ":" + v.AsString();
      }
      out += '|';
    }
    out += '\n';
  }
  return out;
}

int64_t Count(SqlConnection& db, const std::string& sql) {
  auto rows = db.Query(sql);
  EXPECT_TRUE(rows.ok()) << rows.status();
  return rows.ok() ? (*rows)[0][0].AsInt() : -1;
}

// The review data of items up to `max_item` and statistics before
// `end_minute`: the columns a store's readers use.
std::string Content(SqlConnection& db, int64_t max_item, int64_t end_minute) {
  return Rows(db,
              "SELECT item_id, source, post_id, text, post, verdict, "
              "lexicon_version, max_score, category_mask, status, "
              "first_flagged_at, last_flagged_at, times_flagged, queue, "
              "fingerprint, cluster_id FROM items WHERE item_id <= $1 "
              "ORDER BY item_id",
              {SqlValue::Int(max_item)}) +
         Rows(db,
              "SELECT event_id, item_id, kind, actor, at, status_after, "
              "lexicon_version FROM events WHERE item_id <= $1 ORDER BY "
              "event_id",
              {SqlValue::Int(max_item)}) +
         Rows(db,
              "SELECT minute, source, metric, category, n FROM stat_counts "
              "WHERE minute < $1 ORDER BY minute, source, metric, category",
              {SqlValue::Int(end_minute)}) +
         Rows(db, "SELECT version, what FROM schema_migrations ORDER BY 1");
}

class SqliteBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("vigil_backup_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const {
    return (dir_ / name).string();
  }

  // A store at `name` holding one flagged post.
  std::string MakeStore(const std::string& name, const std::string& post_id) {
    const std::string path = Path(name);
    auto store = OpenFlagStore("sqlite:" + path);
    EXPECT_TRUE(store.ok()) << store.status();
    FlaggedPost post;
    post.post.set_source("fb");
    post.post.set_id(post_id);
    post.post.set_text("óc chó " + post_id);
    post.verdict.set_flagged(true);
    (*post.verdict.mutable_scores())["insult"] = 0.9;
    EXPECT_TRUE((*store)->RecordFlagged({&post, 1}).ok());
    return path;
  }

  fs::path dir_;
};

FlaggedPost Post(int batch, int i) {
  FlaggedPost p;
  p.post.set_source(i % 2 ? "fb" : "yt");
  p.post.set_id(std::to_string(batch) + "-" + std::to_string(i));
  p.post.set_text("bài " + p.post.id() + ": mày là đồ óc chó");
  (*p.post.mutable_metadata())["lang"] = "vi";
  p.verdict.set_flagged(true);
  p.verdict.set_lexicon_version("test-1");
  p.verdict.add_flagged_categories("insult");
  (*p.verdict.mutable_scores())["insult"] = 0.5 + (i % 50) / 100.0;
  v1::Hit* hit = p.verdict.add_hits();
  hit->set_category("insult");
  hit->set_term("óc chó");
  return p;
}

TEST_F(SqliteBackupTest, BackupUnderWriteLoadRestoresTheSnapshot) {
  const std::string live_path = Path("live.db");
  auto store = OpenFlagStore("sqlite:" + live_path);
  ASSERT_TRUE(store.ok()) << store.status();

  // Each batch: its statistics (one minute of its own), then its posts, in
  // two transactions.
  std::atomic<bool> stop{false};
  std::atomic<int> batches{0};
  std::atomic<bool> failed{false};
  std::thread writer([&] {
    for (int b = 0; !stop.load() && !failed.load(); ++b) {
      StatsDelta delta;
      delta.counts[{kMinute0 + 60 * b, "fb", StatsDelta::kMetricFlagged, ""}] =
          kBatch;
      std::vector<FlaggedPost> posts;
      for (int i = 0; i < kBatch; ++i) posts.push_back(Post(b, i));
      if (!(*store)->AddStats(delta).ok() ||
          !(*store)->RecordFlagged(posts).ok()) {
        failed = true;
      }
      batches = b + 1;
    }
  });
  auto wait_for = [&](int n) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (batches.load() < n && !failed.load() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  wait_for(20);
  const std::string backup_path = Path("backup.db");
  auto backed_up = BackupSqliteStore(live_path, backup_path, false);
  const int at_backup = batches.load();
  wait_for(at_backup + 5);  // the writer went on after the snapshot
  stop = true;
  writer.join();
  ASSERT_FALSE(failed.load());
  ASSERT_TRUE(backed_up.ok()) << backed_up.status();
  EXPECT_EQ(backed_up->schema_version, LatestSchemaVersion());

  const std::string restored_path = Path("restored/vigil.db");
  auto restored_info = RestoreSqliteStore(backup_path, restored_path, false);
  ASSERT_TRUE(restored_info.ok()) << restored_info.status();
  EXPECT_EQ(restored_info->items, backed_up->items);

  auto live = OpenSqlite(live_path);
  auto backup = OpenSqlite(backup_path);
  auto restored = OpenSqlite(restored_path);
  ASSERT_TRUE(live.ok() && backup.ok() && restored.ok());

  // The snapshot holds whole transactions: whole batches of posts with
  // their flag events, and the statistics of those batches (perhaps of the
  // next one too: its statistics commit before its posts).
  const int64_t items = Count(**restored, "SELECT COUNT(*) FROM items");
  const int64_t max_item =
      Count(**restored, "SELECT COALESCE(MAX(item_id), 0) FROM items");
  const int64_t stats = Count(**restored, "SELECT COUNT(*) FROM stat_counts");
  EXPECT_GE(items, 20 * kBatch);
  EXPECT_EQ(items % kBatch, 0);
  EXPECT_EQ(max_item, items);
  EXPECT_EQ(Count(**restored, "SELECT COUNT(*) FROM events"), items);
  EXPECT_GE(stats, items / kBatch);
  EXPECT_LE(stats, items / kBatch + 1);
  EXPECT_EQ(Count(**restored, "SELECT SUM(n) FROM stat_counts"),
            stats * kBatch);
  // The live store went on past the backup's moment...
  EXPECT_GT(Count(**live, "SELECT COUNT(*) FROM items"), items);
  // ...and up to it, the copy is the same, row for row.
  const int64_t end_minute = kMinute0 + 60 * stats;
  const std::string restored_content =
      Content(**restored, max_item, end_minute);
  EXPECT_EQ(restored_content, Content(**live, max_item, end_minute));
  // The restored store is the backup file: every row of every table.
  const int64_t all = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(Content(**restored, all, all), Content(**backup, all, all));
  EXPECT_EQ(Rows(**restored, "SELECT * FROM sqlite_sequence ORDER BY name"),
            Rows(**backup, "SELECT * FROM sqlite_sequence ORDER BY name"));
  std::hash<std::string> hash;
  std::printf("snapshot: %lld items, %lld stat minutes, content hash %zx\n",
              static_cast<long long>(items), static_cast<long long>(stats),
              hash(restored_content));

  // A restored store opens as a store, and reads like the live one.
  auto reopened = OpenFlagStore("sqlite:" + restored_path);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto item = (*reopened)->GetItem(max_item);
  ASSERT_TRUE(item.ok()) << item.status();
  EXPECT_EQ(item->post().text(), (*store)->GetItem(max_item)->post().text());
  EXPECT_EQ(item->post().metadata().at("lang"), "vi");
}

TEST_F(SqliteBackupTest, RefusesWhatIsNotAStore) {
  const std::string store = MakeStore("store.db", "1");
  std::ofstream(Path("text.db")) << "not a database, just text\n";
  {
    auto other = OpenSqlite(Path("other.db"));
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE((*other)->ExecScript("CREATE TABLE t (x INTEGER)").ok());
  }
  struct Case {
    const char* what;
    std::string from;
    absl::StatusCode code;
    const char* message;
  };
  const Case cases[] = {
      {"missing", Path("missing.db"), absl::StatusCode::kNotFound,
       "no such file"},
      {"text file", Path("text.db"), absl::StatusCode::kInvalidArgument,
       "not a vigil store"},
      {"other database", Path("other.db"), absl::StatusCode::kInvalidArgument,
       "not a vigil store"},
      {"a directory", dir_.string(), absl::StatusCode::kNotFound,
       "no such file"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto backup = BackupSqliteStore(c.from, Path("out.db"), false);
    EXPECT_EQ(backup.status().code(), c.code) << backup.status();
    EXPECT_THAT(backup.status().message(), HasSubstr(c.message));
    EXPECT_FALSE(fs::exists(Path("out.db")));
    EXPECT_FALSE(fs::exists(Path("out.db.partial")));
    auto restore = RestoreSqliteStore(c.from, Path("new.db"), false);
    EXPECT_EQ(restore.status().code(), c.code) << restore.status();
    EXPECT_THAT(restore.status().message(), HasSubstr(c.message));
    EXPECT_FALSE(fs::exists(Path("new.db")));
  }
  // The store itself still opens after all that.
  EXPECT_TRUE(OpenFlagStore("sqlite:" + store).ok());
}

TEST_F(SqliteBackupTest, NeverOverwritesWithoutForce) {
  const std::string a = MakeStore("a.db", "from-a");
  const std::string b = MakeStore("b.db", "from-b");
  ASSERT_TRUE(BackupSqliteStore(a, Path("a.backup"), false).ok());
  // An existing backup file, an existing non-empty store.
  auto again = BackupSqliteStore(b, Path("a.backup"), false);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("--force"));
  auto over = RestoreSqliteStore(Path("a.backup"), b, false);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(over.status().message(), HasSubstr("not empty"));
  auto still_b = OpenFlagStore("sqlite:" + b);
  ASSERT_TRUE(still_b.ok());
  EXPECT_EQ((*still_b)->GetItem(1)->post().id(), "from-b");
  still_b->reset();
  // An empty file is no store to protect.
  std::ofstream(Path("empty.db")).close();
  EXPECT_TRUE(
      RestoreSqliteStore(Path("a.backup"), Path("empty.db"), false).ok());
  // --force replaces.
  ASSERT_TRUE(RestoreSqliteStore(Path("a.backup"), b, true).ok());
  auto now_a = OpenFlagStore("sqlite:" + b);
  ASSERT_TRUE(now_a.ok());
  EXPECT_EQ((*now_a)->GetItem(1)->post().id(), "from-a");
  EXPECT_TRUE(BackupSqliteStore(b, Path("a.backup"), true).ok());
}

TEST_F(SqliteBackupTest, RestoreRefusesANewerSchema) {
  const std::string store = MakeStore("store.db", "1");
  {
    auto db = OpenSqlite(store);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->ExecScript("INSERT INTO schema_migrations (version, "
                                 "applied_at, what) VALUES (999, 0, 'future')")
                    .ok());
  }
  ASSERT_TRUE(BackupSqliteStore(store, Path("future.backup"), false).ok());
  auto restore =
      RestoreSqliteStore(Path("future.backup"), Path("new.db"), false);
  EXPECT_EQ(restore.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(restore.status().message(), HasSubstr("999"));
  EXPECT_THAT(restore.status().message(),
              HasSubstr("(" + std::to_string(LatestSchemaVersion()) + ")"));
  EXPECT_FALSE(fs::exists(Path("new.db")));
}

}  // namespace
}  // namespace vigil::service
