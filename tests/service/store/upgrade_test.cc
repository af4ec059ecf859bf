// Upgrades: a store written by each earlier schema version (the fixtures in
// tests/fixtures/store, one per version) migrates to the current schema on
// every backend, and every item, event, decision and statistic survives it
// field by field; a store newer than this build is refused.
//
// The fixtures are SQL text, written by DISABLED_WriteFixtures below:
//
//   VIGIL_WRITE_FIXTURES=tests/fixtures/store build/tests/service_test \
//     --gtest_also_run_disabled_tests \
//     --gtest_filter='StoreUpgradeFixtures.DISABLED_WriteFixtures'
//
// It applies migrations 1..K only (Migrate's target version; migrations are
// append-only, so that is the schema the vigil of version K created),
// inserts the data below with plain SQL naming only the columns that
// version had, and dumps the SQLite database as SQL: its CREATE statements
// as SQLite stored them, then one INSERT per row. PostgreSQL gets the same
// rows after Migrate(..., K): the data section of the fixture, its blob
// literals written as bytea.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "service/store/schema.h"
#include "service/store/sql_flag_store.h"
#include "service/store/workflow.h"
#include "tests/service/store/test_database.h"
#include "tests/test_data.h"

namespace vigil::service {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kSecond = 1000000;
constexpr int64_t kEra = int64_t{1'735'689'600} * kSecond;        // 2025-01-01
constexpr int64_t kFarFuture = int64_t{4'102'444'800} * kSecond;  // 2100
constexpr int64_t kMinute = 1'735'689'600;  // statistics' minutes, seconds
constexpr int kOldestVersion = 1;
// The versions before the current one that have a fixture.
constexpr int kNewestFixture = 5;
constexpr char kDataMarker[] = "-- data\n";

struct FixtureEvent {
  const char* kind;
  const char* actor;
  const char* status_after;
  const char* decision;  // null: none
  const char* text;      // null: none
};

struct FixtureItem {
  const char* source;
  const char* post_id;
  const char* text;  // null: erased by retention
  double score;
  const char* category;
  const char* status;  // as stored
  const char* claimed_by;
  const char* decision;
  const char* decided_by;
  const char* reason;
  int times_flagged;
  int since_version;  // the schema that can hold it
  const char* queue;  // since version 4
  int64_t decided_categories;
  std::vector<FixtureEvent> events;
};

// Item ids are positions in this list, from 1; the items an older schema
// cannot hold come last.
const std::vector<FixtureItem>& Items() {
  static const auto* const kItems = new std::vector<FixtureItem>{
      {"fb",
       "a1",
       "mày là đồ óc chó",
       0.91,
       "insult",
       "open",
       nullptr,
       nullptr,
       nullptr,
       nullptr,
       2,
       1,
       "flagged",
       0,
       {{"flagged", "analyzer", "open", nullptr, nullptr},
        {"reflagged", "analyzer", "open", nullptr, nullptr}}},
      {"fb",
       "a2",
       "thằng ngu vcl",
       0.72,
       "insult",
       "open",
       "alice",
       nullptr,
       nullptr,
       nullptr,
       1,
       1,
       "flagged",
       0,
       {{"flagged", "analyzer", "open", nullptr, nullptr},
        {"claimed", "alice", "claimed", nullptr, nullptr}}},
      {"yt",
       "b3",
       "bọn chúng là đồ súc vật",
       0.88,
       "hate",
       "actioned",
       nullptr,
       "actioned",
       "bob",
       "công kích nhóm người",
       1,
       1,
       "flagged",
       4,
       {{"flagged", "analyzer", "open", nullptr, nullptr},
        {"claimed", "bob", "claimed", nullptr, nullptr},
        {"decided", "bob", "actioned", "actioned", "công kích nhóm người"},
        {"commented", "bob", "actioned", nullptr, "đã gỡ bài"}}},
      {"yt",
       "b4",
       nullptr,
       0.55,
       "insult",
       "dismissed",
       nullptr,
       "dismissed",
       "carol",
       "trích dẫn, không xúc phạm",
       1,
       1,
       "flagged",
       0,
       {{"flagged", "analyzer", "open", nullptr, nullptr},
        {"claimed", "carol", "claimed", nullptr, nullptr},
        {"decided", "carol", "dismissed", "dismissed",
         "trích dẫn, không xúc phạm"}}},
      {"tw",
       "c5",
       "tao sẽ đánh mày",
       0.97,
       "threat",
       "escalated",
       nullptr,
       "escalated",
       "dave",
       "cần pháp lý xem",
       1,
       1,
       "flagged",
       0,
       {{"flagged", "analyzer", "open", nullptr, nullptr},
        {"claimed", "dave", "claimed", nullptr, nullptr},
        {"decided", "dave", "escalated", "escalated", "cần pháp lý xem"}}},
      {"fb",
       "s6",
       "một bài bình thường",
       0.0,
       "",
       "actioned",
       nullptr,
       "actioned",
       "erin",
       "mẫu có hại",
       1,
       4,
       "sample",
       2,
       {{"sampled", "sampler", "open", nullptr, nullptr},
        {"claimed", "erin", "claimed", nullptr, nullptr},
        {"decided", "erin", "actioned", "actioned", "mẫu có hại"}}},
  };
  return *kItems;
}

// (minute, source, metric, category, n) and (minute, source, category,
// term, n): statistics since version 2.
struct StatRow {
  int64_t minute;
  const char* source;
  const char* key1;
  const char* key2;
  int64_t n;
};
const StatRow kStatCounts[] = {
    {kMinute, "fb", "analyzed", "", 1000},
    {kMinute, "fb", "flagged", "", 2},
    {kMinute, "fb", "flag", "insult", 2},
    {kMinute + 60, "yt", "analyzed", "", 500},
    {kMinute + 60, "yt", "flagged", "", 2},
    {kMinute + 60, "yt", "flag", "hate", 1},
    {kMinute + 60, "yt", "flag", "insult", 1},
    {kMinute + 120, "tw", "flagged", "", 1},
};
const StatRow kTermCounts[] = {
    {kMinute, "fb", "insult", "óc chó", 1},
    {kMinute, "fb", "insult", "ngu", 1},
    {kMinute + 60, "yt", "hate", "súc vật", 1},
};

bool Holds(int version, const FixtureItem& item) {
  return version >= item.since_version;
}

v1::Post PostOf(const FixtureItem& item) {
  v1::Post post;
  post.set_source(item.source);
  post.set_id(item.post_id);
  (*post.mutable_metadata())["lang"] = "vi";
  return post;
}

v1::Verdict VerdictOf(const FixtureItem& item) {
  v1::Verdict verdict;
  verdict.set_lexicon_version("2025.01-era");
  if (*item.category == '\0') return verdict;
  verdict.set_flagged(true);
  verdict.add_flagged_categories(item.category);
  (*verdict.mutable_scores())[item.category] = item.score;
  v1::Hit* hit = verdict.add_hits();
  hit->set_category(item.category);
  hit->set_term("óc chó");
  hit->set_begin(3);
  hit->set_end(10);
  return verdict;
}

SqlValue TextOrNull(const char* text) {
  return text == nullptr ? SqlValue::Null() : SqlValue::Text(text);
}

// Inserts the fixture's rows with the columns schema `version` had.
absl::Status InsertEra(SqlConnection& db, int version) {
  int64_t item_id = 0;
  for (const FixtureItem& item : Items()) {
    ++item_id;
    if (!Holds(version, item)) continue;
    const bool decided = item.decision != nullptr;
    const int64_t flagged_at = kEra + item_id * 60 * kSecond;
    std::vector<std::pair<const char*, SqlValue>> columns = {
        {"item_id", SqlValue::Int(item_id)},
        {"source", SqlValue::Text(item.source)},
        {"post_id", SqlValue::Text(item.post_id)},
        {"text", TextOrNull(item.text)},
        {"post", item.text ? SqlValue::Bytes(PostOf(item).SerializeAsString())
                           : SqlValue::Null()},
        {"verdict", SqlValue::Bytes(VerdictOf(item).SerializeAsString())},
        {"lexicon_version", SqlValue::Text("2025.01-era")},
        {"max_score", SqlValue::Real(item.score)},
        {"category_mask",
         SqlValue::Int(
             CategoryMaskOf(VerdictOf(item).flagged_categories()).value())},
        {"status", SqlValue::Text(item.status)},
        {"claimed_by", TextOrNull(item.claimed_by)},
        {"lease_expires_at",
         item.claimed_by ? SqlValue::Int(kFarFuture) : SqlValue::Null()},
        {"first_flagged_at", SqlValue::Int(flagged_at)},
        {"last_flagged_at",
         SqlValue::Int(flagged_at + (item.times_flagged - 1) * kSecond)},
        {"times_flagged", SqlValue::Int(item.times_flagged)},
        {"decision", TextOrNull(item.decision)},
        {"decided_by", TextOrNull(item.decided_by)},
        {"decision_reason", TextOrNull(item.reason)},
        {"decided_at", decided ? SqlValue::Int(flagged_at + 600 * kSecond)
                               : SqlValue::Null()},
        {"text_erased_at",
         item.text ? SqlValue::Null() : SqlValue::Int(kEra + 86400 * kSecond)},
    };
    if (version >= 3) {
      columns.push_back(
          {"decided_verdict",
           decided ? SqlValue::Bytes(VerdictOf(item).SerializeAsString())
                   : SqlValue::Null()});
    }
    if (version >= 4) {
      columns.push_back({"queue", SqlValue::Text(item.queue)});
      columns.push_back({"decided_categories",
                         decided ? SqlValue::Int(item.decided_categories)
                                 : SqlValue::Null()});
    }
    std::string names, placeholders;
    std::vector<SqlValue> params;
    for (auto& [name, value] : columns) {
      names += (names.empty() ? "" : ", ") + std::string(name);
      params.push_back(std::move(value));
      placeholders +=
          (placeholders.empty() ? "$" : ", $") + std::to_string(params.size());
    }
    auto inserted = db.Query(
        "INSERT INTO items (" + names + ") VALUES (" + placeholders + ")",
        params);
    if (!inserted.ok()) return inserted.status();
    int64_t at = flagged_at;
    for (const FixtureEvent& e : item.events) {
      std::vector<SqlValue> event = {
          SqlValue::Int(item_id),
          SqlValue::Text(e.kind),
          SqlValue::Text(e.actor),
          SqlValue::Int(at += kSecond),
          SqlValue::Text(e.status_after),
          TextOrNull(e.decision),
          TextOrNull(e.text),
          SqlValue::Text(std::string(e.kind) == "decided" ? "2025.01-era"
                                                          : "")};
      if (auto r = db.Query(
              "INSERT INTO events (item_id, kind, actor, at, status_after, "
              "decision, text, lexicon_version) VALUES ($1, $2, $3, $4, $5, "
              "$6, $7, NULLIF($8, ''))",
              event);
          !r.ok()) {
        return r.status();
      }
    }
  }
  if (version < 2) return absl::OkStatus();
  for (const StatRow& r : kStatCounts) {
    SqlValue params[] = {SqlValue::Int(r.minute), SqlValue::Text(r.source),
                         SqlValue::Text(r.key1), SqlValue::Text(r.key2),
                         SqlValue::Int(r.n)};
    if (auto q = db.Query("INSERT INTO stat_counts (minute, source, metric, "
                          "category, n) VALUES ($1, $2, $3, $4, $5)",
                          params);
        !q.ok()) {
      return q.status();
    }
  }
  for (const StatRow& r : kTermCounts) {
    SqlValue params[] = {SqlValue::Int(r.minute), SqlValue::Text(r.source),
                         SqlValue::Text(r.key1), SqlValue::Text(r.key2),
                         SqlValue::Int(r.n)};
    if (auto q = db.Query("INSERT INTO term_counts (minute, source, "
                          "category, term, n) VALUES ($1, $2, $3, $4, $5)",
                          params);
        !q.ok()) {
      return q.status();
    }
  }
  return absl::OkStatus();
}

std::string Literal(const SqlValue& v) {
  if (v.is_null()) return "NULL";
  if (const auto* n = std::get_if<int64_t>(&v.value)) {
    return std::to_string(*n);
  }
  if (const auto* d = std::get_if<double>(&v.value)) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", *d);
    return buffer;
  }
  if (const auto* b = std::get_if<SqlValue::Blob>(&v.value)) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "X'";
    for (unsigned char c : b->bytes) {
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    return out + "'";
  }
  std::string out = "'";
  for (char c : v.AsString()) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// The SQLite database as SQL: schema, then schema_migrations' rows, the
// data marker, and every other table's rows in key order.
absl::StatusOr<std::string> DumpSqlite(SqlConnection& db, int version) {
  std::string out = "-- A vigil review store at schema version " +
                    std::to_string(version) +
                    " (SQLite). Written by tests/service/store/"
                    "upgrade_test.cc;\n-- see tests/fixtures/store/README.md."
                    "\nPRAGMA foreign_keys=OFF;\nBEGIN;\n";
  auto schema = db.Query(
      "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND "
      "name NOT LIKE 'sqlite_%' ORDER BY rowid");
  if (!schema.ok()) return schema.status();
  std::vector<std::string> tables;
  for (const SqlRow& row : *schema) {
    out += row[2].AsString() + ";\n";
    if (row[0].AsString() == "table") tables.push_back(row[1].AsString());
  }
  std::string data;
  for (const std::string& table : tables) {
    auto info = db.Query("PRAGMA table_info(" + table + ")");
    if (!info.ok()) return info.status();
    std::string names;
    for (const SqlRow& column : *info) {
      names += (names.empty() ? "" : ", ") + column[1].AsString();
    }
    // Every table's key is among its first four columns.
    std::string order = "1";
    for (size_t i = 2; i <= std::min<size_t>(4, info->size()); ++i) {
      order += ", " + std::to_string(i);
    }
    auto rows =
        db.Query("SELECT " + names + " FROM " + table + " ORDER BY " + order);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) {
      std::string values;
      for (const SqlValue& v : row) {
        values += (values.empty() ? "" : ", ") + Literal(v);
      }
      (table == "schema_migrations" ? out : data) +=
          "INSERT INTO " + table + " (" + names + ") VALUES (" + values +
          ");\n";
    }
  }
  return out + kDataMarker + data + "COMMIT;\n";
}

std::string FixturePath(int version) {
  return ::vigil::testing::SourcePath("tests/fixtures/store/schema_v" +
                                      std::to_string(version) + ".sql");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(StoreUpgradeFixtures, DISABLED_WriteFixtures) {
  const char* dir = std::getenv("VIGIL_WRITE_FIXTURES");
  ASSERT_NE(dir, nullptr) << "set VIGIL_WRITE_FIXTURES to the fixtures' dir";
  for (int version = kOldestVersion; version <= kNewestFixture; ++version) {
    auto db = OpenSqlite(":memory:");
    ASSERT_TRUE(db.ok());
    auto migrated = Migrate(**db, kEra, version);
    ASSERT_TRUE(migrated.ok()) << migrated.status();
    absl::Status inserted = InsertEra(**db, version);
    ASSERT_TRUE(inserted.ok()) << inserted;
    auto dump = DumpSqlite(**db, version);
    ASSERT_TRUE(dump.ok()) << dump.status();
    std::ofstream(std::string(dir) + "/schema_v" + std::to_string(version) +
                  ".sql")
        << *dump;
  }
}

class StoreUpgradeTest
    : public ::testing::TestWithParam<std::tuple<std::string, int>> {
 protected:
  void SetUp() override {
    std::string skip;
    db_ = testing::TestDatabase::Create(std::get<0>(GetParam()), &skip);
    if (db_ == nullptr) GTEST_SKIP() << skip;
    version_ = std::get<1>(GetParam());
    fixture_ = ReadFile(FixturePath(version_));
    ASSERT_THAT(fixture_, HasSubstr(kDataMarker)) << FixturePath(version_);
  }

  // The fixture, loaded into this test's database.
  void Load(SqlConnection& db) {
    if (db.dialect() == SqlDialect::kSqlite) {
      ASSERT_TRUE(db.ExecScript(fixture_).ok());
      return;
    }
    ASSERT_TRUE(Migrate(db, kEra, version_).ok());
    std::string data = fixture_.substr(fixture_.find(kDataMarker));
    data = std::regex_replace(data, std::regex("X'([0-9A-F]*)'"),
                              "'\\x$1'::bytea");
    ASSERT_TRUE(db.ExecScript("BEGIN;\n" + data).ok());
    for (const char* table : {"items", "events"}) {
      const std::string id =
          table == std::string("items") ? "item_id" : "event_id";
      ASSERT_TRUE(db.Query("SELECT setval(pg_get_serial_sequence('" +
                           std::string(table) + "', '" + id +
                           "'), (SELECT MAX(" + id + ") FROM " + table + "))")
                      .ok());
    }
  }

  std::unique_ptr<testing::TestDatabase> db_;
  int version_ = 0;
  std::string fixture_;
};

int64_t Count(SqlConnection& db, const std::string& table) {
  auto rows = db.Query("SELECT COUNT(*) FROM " + table);
  EXPECT_TRUE(rows.ok()) << rows.status();
  return rows.ok() ? (*rows)[0][0].AsInt() : -1;
}

TEST_P(StoreUpgradeTest, EverythingSurvivesTheUpgrade) {
  auto db = db_->connect()();
  ASSERT_TRUE(db.ok()) << db.status();
  Load(**db);
  if (HasFatalFailure()) return;
  size_t items = 0, events = 0;
  for (const FixtureItem& item : Items()) {
    if (!Holds(version_, item)) continue;
    ++items;
    events += item.events.size();
  }
  const int64_t stats = version_ >= 2 ? std::size(kStatCounts) : 0;
  const int64_t terms = version_ >= 2 ? std::size(kTermCounts) : 0;
  ASSERT_EQ(Count(**db, "items"), static_cast<int64_t>(items));
  ASSERT_EQ(Count(**db, "events"), static_cast<int64_t>(events));

  auto before = Migrate(**db, kEra + 3600 * kSecond);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(*before, version_);
  EXPECT_EQ(Count(**db, "items"), static_cast<int64_t>(items));
  EXPECT_EQ(Count(**db, "events"), static_cast<int64_t>(events));
  if (version_ >= 2) {
    EXPECT_EQ(Count(**db, "stat_counts"), stats);
    EXPECT_EQ(Count(**db, "term_counts"), terms);
    for (const StatRow& r : kStatCounts) {
      SqlValue params[] = {SqlValue::Int(r.minute), SqlValue::Text(r.source),
                           SqlValue::Text(r.key1), SqlValue::Text(r.key2)};
      auto n = (*db)->Query(
          "SELECT n FROM stat_counts WHERE minute = $1 AND source = $2 AND "
          "metric = $3 AND category = $4",
          params);
      ASSERT_TRUE(n.ok() && n->size() == 1) << r.source << " " << r.key1;
      EXPECT_EQ((*n)[0][0].AsInt(), r.n);
    }
    for (const StatRow& r : kTermCounts) {
      SqlValue params[] = {SqlValue::Int(r.minute), SqlValue::Text(r.source),
                           SqlValue::Text(r.key1), SqlValue::Text(r.key2)};
      auto n = (*db)->Query(
          "SELECT n FROM term_counts WHERE minute = $1 AND source = $2 AND "
          "category = $3 AND term = $4",
          params);
      ASSERT_TRUE(n.ok() && n->size() == 1) << r.key2;
      EXPECT_EQ((*n)[0][0].AsInt(), r.n);
    }
  }

  // Every item and event through the store, as the current code reads them.
  SqlFlagStore::Options options;
  options.connect = db_->connect();
  auto store = SqlFlagStore::Open(std::move(options));
  ASSERT_TRUE(store.ok()) << store.status();
  int64_t item_id = 0;
  for (const FixtureItem& want : Items()) {
    ++item_id;
    if (!Holds(version_, want)) continue;
    SCOPED_TRACE(want.post_id);
    auto item = (*store)->GetItem(item_id);
    ASSERT_TRUE(item.ok()) << item.status();
    EXPECT_EQ(item->post().source(), want.source);
    EXPECT_EQ(item->post().id(), want.post_id);
    EXPECT_EQ(item->post().text(), want.text ? want.text : "");
    EXPECT_EQ(item->post().metadata_size(), want.text ? 1 : 0);
    EXPECT_EQ(item->has_text_erased_at(), want.text == nullptr);
    EXPECT_EQ(item->verdict().SerializeAsString(),
              VerdictOf(want).SerializeAsString());
    EXPECT_DOUBLE_EQ(item->max_score(), want.score);
    EXPECT_EQ(item->times_flagged(), want.times_flagged);
    EXPECT_EQ(StatusName(item->status()),
              want.claimed_by ? "claimed" : want.status);
    EXPECT_EQ(item->claimed_by(), want.claimed_by ? want.claimed_by : "");
    EXPECT_EQ(item->first_flagged_at().seconds(),
              (kEra + item_id * 60 * kSecond) / kSecond);
    EXPECT_EQ(item->decided_by(), want.decided_by ? want.decided_by : "");
    EXPECT_EQ(item->decision_reason(), want.reason ? want.reason : "");
    EXPECT_EQ(item->has_decided_at(), want.decision != nullptr);
    if (want.decision) {
      EXPECT_EQ(DecisionName(item->decision()), want.decision);
    }
    // Before version 4 every item was in the flagged queue, without labels.
    EXPECT_EQ(QueueName(item->queue()), version_ >= 4 ? want.queue : "flagged");
    std::vector<std::string> labels(item->decided_categories().begin(),
                                    item->decided_categories().end());
    EXPECT_EQ(labels, CategoryNamesOf(version_ >= 4 && want.decision
                                          ? want.decided_categories
                                          : 0));
    EXPECT_EQ(item->cluster_id(), 0);
    auto history = (*store)->GetHistory(item_id);
    ASSERT_TRUE(history.ok()) << history.status();
    ASSERT_EQ(history->events_size(), static_cast<int>(want.events.size()));
    for (size_t i = 0; i < want.events.size(); ++i) {
      const v1::ReviewEvent& got = history->events(static_cast<int>(i));
      const FixtureEvent& e = want.events[i];
      EXPECT_EQ(EventKindName(got.kind()), e.kind);
      EXPECT_EQ(got.actor(), e.actor);
      EXPECT_EQ(StatusName(got.status_after()), e.status_after);
      EXPECT_EQ(got.text(), e.text ? e.text : "");
      if (e.decision) EXPECT_EQ(DecisionName(got.decision()), e.decision);
    }
  }

  // Statistics through the store: the whole era's totals.
  if (version_ >= 2) {
    v1::GetSummaryRequest request;
    request.mutable_filter()->mutable_start()->set_seconds(kMinute);
    request.mutable_filter()->mutable_end()->set_seconds(kMinute + 3600);
    auto summary = (*store)->GetSummary(request);
    ASSERT_TRUE(summary.ok()) << summary.status();
    EXPECT_EQ(summary->total().posts_analyzed(), 1500);
    EXPECT_EQ(summary->total().posts_flagged(), 5);
    EXPECT_EQ(summary->total().flags_by_category().at("insult"), 3);
  }

  // The upgraded store takes new items after the old ones.
  FlaggedPost post;
  post.post.set_source("fb");
  post.post.set_id("after-upgrade");
  post.post.set_text("mày là đồ óc chó");
  post.verdict.set_flagged(true);
  (*post.verdict.mutable_scores())["insult"] = 0.9;
  ASSERT_TRUE((*store)->RecordFlagged({&post, 1}).ok());
  auto added = (*store)->GetItem(static_cast<int64_t>(items) + 1);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->post().id(), "after-upgrade");
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, StoreUpgradeTest,
    ::testing::Combine(::testing::Values("sqlite", "postgres"),
                       ::testing::Range(kOldestVersion, kNewestFixture + 1)),
    [](const auto& info) {
      return std::get<0>(info.param) + "_v" +
             std::to_string(std::get<1>(info.param));
    });

// A downgrade is refused: a store whose schema is newer than this build
// does not open, and the error names both versions.
class StoreDowngradeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StoreDowngradeTest, NewerSchemaIsRefusedNamingBothVersions) {
  std::string skip;
  auto db = testing::TestDatabase::Create(GetParam(), &skip);
  if (db == nullptr) GTEST_SKIP() << skip;
  {
    auto store = OpenFlagStore(db->url());
    ASSERT_TRUE(store.ok()) << store.status();
    auto conn = db->connect()();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)
                    ->ExecScript("INSERT INTO schema_migrations (version, "
                                 "applied_at, what) VALUES (" +
                                 std::to_string(LatestSchemaVersion() + 1) +
                                 ", 0, 'from a newer vigil')")
                    .ok());
  }
  auto store = OpenFlagStore(db->url());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(),
              HasSubstr("store schema version " +
                        std::to_string(LatestSchemaVersion() + 1) +
                        " is newer than this vigil's (" +
                        std::to_string(LatestSchemaVersion()) + ")"));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreDowngradeTest,
                         ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace vigil::service
