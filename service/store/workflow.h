// The review workflow's rules, as pure functions over an item's state, so
// that every backend applies the same ones (see review.proto for the
// diagram).
//
// An item's stored status is open, escalated, actioned or dismissed; a claim
// (reviewer and lease expiry) is held beside it. The status an analyst sees
// is "claimed" while the lease is live, the stored one otherwise, so an
// expired lease puts the item back in the queue without anyone acting.
//
// Thread safety: pure functions.
#ifndef VIGIL_SERVICE_STORE_WORKFLOW_H_
#define VIGIL_SERVICE_STORE_WORKFLOW_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "vigil/v1/review.pb.h"

namespace vigil::service {

struct ItemState {
  // Stored: open, escalated, actioned or dismissed.
  v1::ItemStatus status = v1::ITEM_STATUS_OPEN;
  v1::Queue queue = v1::QUEUE_FLAGGED;
  std::string claimed_by;  // empty: no claim
  int64_t lease_expires_at = 0;
};

// "open", "claimed", ... as stored in databases; ParseStatusName inverts.
std::string_view StatusName(v1::ItemStatus status);
std::optional<v1::ItemStatus> ParseStatusName(std::string_view name);
std::string_view DecisionName(v1::Decision decision);
std::optional<v1::Decision> ParseDecisionName(std::string_view name);
std::string_view EventKindName(v1::EventKind kind);
std::optional<v1::EventKind> ParseEventKindName(std::string_view name);
// "flagged" or "sample", as the items table's queue column stores them.
std::string_view QueueName(v1::Queue queue);
std::optional<v1::Queue> ParseQueueName(std::string_view name);

// Category names as a bit mask (bit i: match::Category i), as the items
// table stores them; INVALID_ARGUMENT naming an unknown category.
absl::StatusOr<int64_t> CategoryMaskOf(
    const google::protobuf::RepeatedPtrField<std::string>& names);
// The names of a mask's categories, in canonical order.
std::vector<std::string> CategoryNamesOf(int64_t mask);

// What an analyst's decision says an item is, as the categories it is
// harmful in (bit i: match::Category i): for an item decided actioned, the
// categories the analyst named or, when none were named (a flagged item),
// the flagged ones the analyst upheld; 0 for an item dismissed (harmless in
// every category); nullopt for an item not decided (open, claimed or
// escalated). Training (vigil train --from-store) and backtests read
// decisions as labels through this one rule.
std::optional<int64_t> DecidedHarmfulMask(const v1::ReviewItem& item);

// OK when a decision with these category labels fits the item: an item of
// the sample queue labeled harmful (actioned) must say in which categories.
absl::Status CheckDecisionLabels(const ItemState& item, v1::Decision decision,
                                 int64_t category_mask);

bool LeaseLive(const ItemState& item, int64_t now);

// What an analyst sees at `now`.
v1::ItemStatus EffectiveStatus(const ItemState& item, int64_t now);

// OK when `reviewer` may claim the item at `now`: it is open or escalated
// and not under someone else's live lease.
absl::Status CheckClaim(const ItemState& item, const std::string& reviewer,
                        int64_t now);

// OK when `reviewer` holds a live claim on the item (Release, Decide).
absl::Status CheckHolds(const ItemState& item, const std::string& reviewer,
                        int64_t now);

// OK when the item is decided or escalated and not under a live claim.
absl::Status CheckReopen(const ItemState& item, int64_t now);

// The stored status a decision leads to; INVALID_ARGUMENT for
// DECISION_UNSPECIFIED.
absl::Status StatusAfterDecision(v1::Decision decision, v1::ItemStatus* status);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_WORKFLOW_H_
