// The items table as the store reads it: the one column list every item
// SELECT names, the index of each column in the rows it returns, and the
// conversion of such a row into a ReviewItem.
//
//   auto rows = db.Query(StrCat("SELECT ", ItemColumnList(),
//                               " FROM items WHERE item_id = $1"), params);
//   v1::ReviewItem item = ItemFromRow((*rows)[0], now);
//   std::string who = (*rows)[0][ItemColumn::kClaimedBy].AsString();
//
// kItemColumns pairs each ItemColumn with its name, in order; static
// assertions keep the enum, the names and their count from drifting apart.
//
// Thread safety: constants and pure functions.
#ifndef VIGIL_SERVICE_STORE_ITEM_ROW_H_
#define VIGIL_SERVICE_STORE_ITEM_ROW_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "service/store/sql.h"
#include "service/store/workflow.h"
#include "vigil/v1/review.pb.h"

namespace vigil::service {

// The index of a column in a row selected with ItemColumnList().
struct ItemColumn {
  enum Index : size_t {
    kItemId,
    kSource,
    kPostId,
    kText,
    kPost,
    kVerdict,
    kStatus,
    kMaxScore,
    kFirstFlaggedAt,
    kLastFlaggedAt,
    kTimesFlagged,
    kClaimedBy,
    kLeaseExpiresAt,
    kDecision,
    kDecidedBy,
    kDecisionReason,
    kDecidedAt,
    kTextErasedAt,
    kQueue,
    kDecidedCategories,
    kClusterId,
    kCount,
  };
};

struct ItemColumnName {
  ItemColumn::Index index;
  std::string_view name;
};

inline constexpr ItemColumnName kItemColumns[] = {
    {ItemColumn::kItemId, "item_id"},
    {ItemColumn::kSource, "source"},
    {ItemColumn::kPostId, "post_id"},
    {ItemColumn::kText, "text"},
    {ItemColumn::kPost, "post"},
    {ItemColumn::kVerdict, "verdict"},
    {ItemColumn::kStatus, "status"},
    {ItemColumn::kMaxScore, "max_score"},
    {ItemColumn::kFirstFlaggedAt, "first_flagged_at"},
    {ItemColumn::kLastFlaggedAt, "last_flagged_at"},
    {ItemColumn::kTimesFlagged, "times_flagged"},
    {ItemColumn::kClaimedBy, "claimed_by"},
    {ItemColumn::kLeaseExpiresAt, "lease_expires_at"},
    {ItemColumn::kDecision, "decision"},
    {ItemColumn::kDecidedBy, "decided_by"},
    {ItemColumn::kDecisionReason, "decision_reason"},
    {ItemColumn::kDecidedAt, "decided_at"},
    {ItemColumn::kTextErasedAt, "text_erased_at"},
    {ItemColumn::kQueue, "queue"},
    {ItemColumn::kDecidedCategories, "decided_categories"},
    {ItemColumn::kClusterId, "cluster_id"},
};

static_assert(std::size(kItemColumns) == ItemColumn::kCount,
              "every ItemColumn has exactly one name in kItemColumns");
static_assert(
    [] {
      for (size_t i = 0; i < std::size(kItemColumns); ++i) {
        if (kItemColumns[i].index != i || kItemColumns[i].name.empty()) {
          return false;
        }
      }
      return true;
    }(),
    "kItemColumns lists the columns in ItemColumn's order");

// "item_id, source, post_id, ...": kItemColumns' names joined with ", ",
// for SELECT (and RETURNING) lists whose rows ItemFromRow reads.
std::string_view ItemColumnList();

// The workflow state (stored status and claim) of a row selected with
// ItemColumnList(). A status the store does not know reads as open.
ItemState StateOf(const SqlRow& row);

// The item a row selected with ItemColumnList() holds, as an analyst sees
// it at `now` (microseconds since the epoch): its effective status, and its
// claim only while the lease is live. Precondition: row.size() ==
// ItemColumn::kCount.
v1::ReviewItem ItemFromRow(const SqlRow& row, int64_t now);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_ITEM_ROW_H_
