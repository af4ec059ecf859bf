// Item rows read by column name, without a database.
#include "service/store/item_row.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "service/store/proto_time.h"

namespace vigil::service {
namespace {

constexpr int64_t kNow = 1700000000000000;

// A row as the items SELECT returns it, with the given claim and decision.
SqlRow Row(const std::string& status, SqlValue claimed_by,
           SqlValue lease_expires_at, SqlValue decision) {
  v1::Verdict verdict;
  verdict.set_lexicon_version("lex-1");
  SqlRow row(ItemColumn::kCount);
  row[ItemColumn::kItemId] = SqlValue::Int(7);
  row[ItemColumn::kSource] = SqlValue::Text("forum");
  row[ItemColumn::kPostId] = SqlValue::Text("p1");
  row[ItemColumn::kText] = SqlValue::Text("hello");
  row[ItemColumn::kPost] = SqlValue::Null();
  row[ItemColumn::kVerdict] = SqlValue::Bytes(verdict.SerializeAsString());
  row[ItemColumn::kStatus] = SqlValue::Text(status);
  row[ItemColumn::kMaxScore] = SqlValue::Real(0.75);
  row[ItemColumn::kFirstFlaggedAt] = SqlValue::Int(1000000);
  row[ItemColumn::kLastFlaggedAt] = SqlValue::Int(2000000);
  row[ItemColumn::kTimesFlagged] = SqlValue::Int(3);
  row[ItemColumn::kClaimedBy] = std::move(claimed_by);
  row[ItemColumn::kLeaseExpiresAt] = std::move(lease_expires_at);
  row[ItemColumn::kDecision] = std::move(decision);
  row[ItemColumn::kDecidedBy] = SqlValue::Text("ana");
  row[ItemColumn::kDecisionReason] = SqlValue::Text("rude");
  row[ItemColumn::kDecidedAt] = SqlValue::Int(3000000);
  row[ItemColumn::kTextErasedAt] = SqlValue::Null();
  row[ItemColumn::kQueue] = SqlValue::Text("flagged");
  row[ItemColumn::kDecidedCategories] = SqlValue::Null();
  row[ItemColumn::kClusterId] = SqlValue::Int(5);
  return row;
}

TEST(ItemRowTest, ColumnListNamesEveryColumnInOrder) {
  EXPECT_EQ(ItemColumnList(),
            "item_id, source, post_id, text, post, verdict, status, "
            "max_score, first_flagged_at, last_flagged_at, times_flagged, "
            "claimed_by, lease_expires_at, decision, decided_by, "
            "decision_reason, decided_at, text_erased_at, queue, "
            "decided_categories, cluster_id");
}

TEST(ItemRowTest, RowsReadAsAnAnalystSeesThemNow) {
  const struct {
    const char* name;
    SqlRow row;
    v1::ItemStatus status;
    std::string claimed_by;
    v1::Decision decision;
  } kCases[] = {
      {"open",
       Row("open", SqlValue::Null(), SqlValue::Null(), SqlValue::Null()),
       v1::ITEM_STATUS_OPEN, "", v1::DECISION_UNSPECIFIED},
      {"live lease",
       Row("open", SqlValue::Text("ana"), SqlValue::Int(kNow + 1),
           SqlValue::Null()),
       v1::ITEM_STATUS_CLAIMED, "ana", v1::DECISION_UNSPECIFIED},
      {"expired lease",
       Row("escalated", SqlValue::Text("ana"), SqlValue::Int(kNow),
           SqlValue::Text("escalated")),
       v1::ITEM_STATUS_ESCALATED, "", v1::DECISION_ESCALATED},
      {"unknown status reads as open",
       Row("weird", SqlValue::Null(), SqlValue::Null(), SqlValue::Null()),
       v1::ITEM_STATUS_OPEN, "", v1::DECISION_UNSPECIFIED},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    const v1::ReviewItem item = ItemFromRow(c.row, kNow);
    EXPECT_EQ(item.item_id(), 7);
    EXPECT_EQ(item.cluster_id(), 5);
    EXPECT_EQ(item.post().source(), "forum");
    EXPECT_EQ(item.post().id(), "p1");
    EXPECT_EQ(item.post().text(), "hello");
    EXPECT_EQ(item.verdict().lexicon_version(), "lex-1");
    EXPECT_EQ(item.max_score(), 0.75);
    EXPECT_EQ(Micros(item.first_flagged_at()), 1000000);
    EXPECT_EQ(Micros(item.last_flagged_at()), 2000000);
    EXPECT_EQ(item.times_flagged(), 3);
    EXPECT_EQ(item.status(), c.status);
    EXPECT_EQ(item.claimed_by(), c.claimed_by);
    EXPECT_EQ(item.has_lease_expires_at(), !c.claimed_by.empty());
    EXPECT_EQ(item.decision(), c.decision);
    EXPECT_EQ(item.decided_by(), c.decision ? "ana" : "");
    EXPECT_EQ(item.has_decided_at(), c.decision != v1::DECISION_UNSPECIFIED);
    EXPECT_FALSE(item.has_text_erased_at());
    EXPECT_EQ(item.queue(), v1::QUEUE_FLAGGED);
    EXPECT_EQ(item.decided_categories_size(), 0);
  }
}

TEST(ItemRowTest, SampleQueueAndCategoryLabels) {
  SqlRow row = Row("actioned", SqlValue::Null(), SqlValue::Null(),
                   SqlValue::Text("actioned"));
  row[ItemColumn::kQueue] = SqlValue::Text("sample");
  row[ItemColumn::kDecidedCategories] = SqlValue::Int(0b10000010);
  const v1::ReviewItem item = ItemFromRow(row, kNow);
  EXPECT_EQ(item.queue(), v1::QUEUE_SAMPLE);
  ASSERT_EQ(item.decided_categories_size(), 2);
  EXPECT_EQ(item.decided_categories(0), "insult");
  EXPECT_EQ(item.decided_categories(1), "spam");
}

}  // namespace
}  // namespace vigil::service
