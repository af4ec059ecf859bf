#include "service/store/item_row.h"

#include <string>

#include "service/store/proto_time.h"

namespace vigil::service {

std::string_view ItemColumnList() {
  static const std::string* const kList = [] {
    auto* list = new std::string();
    for (const ItemColumnName& column : kItemColumns) {
      if (!list->empty()) *list += ", ";
      *list += column.name;
    }
    return list;
  }();
  return *kList;
}

ItemState StateOf(const SqlRow& row) {
  ItemState state;
  state.status = ParseStatusName(row[ItemColumn::kStatus].AsString())
                     .value_or(v1::ITEM_STATUS_OPEN);
  state.claimed_by = row[ItemColumn::kClaimedBy].AsString();
  state.lease_expires_at = row[ItemColumn::kLeaseExpiresAt].AsInt();
  state.queue = ParseQueueName(row[ItemColumn::kQueue].AsString())
                    .value_or(v1::QUEUE_FLAGGED);
  return state;
}

v1::ReviewItem ItemFromRow(const SqlRow& row, int64_t now) {
  using C = ItemColumn;
  v1::ReviewItem item;
  item.set_item_id(row[C::kItemId].AsInt());
  v1::Post* post = item.mutable_post();
  if (!row[C::kPost].is_null()) post->ParseFromString(row[C::kPost].AsString());
  post->set_source(row[C::kSource].AsString());
  post->set_id(row[C::kPostId].AsString());
  if (!row[C::kText].is_null()) post->set_text(row[C::kText].AsString());
  item.mutable_verdict()->ParseFromString(row[C::kVerdict].AsString());
  const ItemState state = StateOf(row);
  item.set_status(EffectiveStatus(state, now));
  item.set_max_score(row[C::kMaxScore].AsReal());
  SetTime(row[C::kFirstFlaggedAt].AsInt(), item.mutable_first_flagged_at());
  SetTime(row[C::kLastFlaggedAt].AsInt(), item.mutable_last_flagged_at());
  item.set_times_flagged(static_cast<int32_t>(row[C::kTimesFlagged].AsInt()));
  if (LeaseLive(state, now)) {
    item.set_claimed_by(state.claimed_by);
    SetTime(state.lease_expires_at, item.mutable_lease_expires_at());
  }
  if (!row[C::kDecision].is_null()) {
    item.set_decision(ParseDecisionName(row[C::kDecision].AsString())
                          .value_or(v1::DECISION_UNSPECIFIED));
    item.set_decided_by(row[C::kDecidedBy].AsString());
    item.set_decision_reason(row[C::kDecisionReason].AsString());
    SetTime(row[C::kDecidedAt].AsInt(), item.mutable_decided_at());
  }
  if (!row[C::kTextErasedAt].is_null()) {
    SetTime(row[C::kTextErasedAt].AsInt(), item.mutable_text_erased_at());
  }
  item.set_queue(state.queue);
  for (std::string& name :
       CategoryNamesOf(row[C::kDecidedCategories].AsInt())) {
    item.add_decided_categories(std::move(name));
  }
  item.set_cluster_id(row[C::kClusterId].AsInt());
  return item;
}

}  // namespace vigil::service
