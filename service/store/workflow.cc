#include "service/store/workflow.h"

#include <array>
#include <utility>

#include "analyzers/match/category.h"
#include "analyzers/util/strings.h"

namespace vigil::service {
namespace {

constexpr std::array<std::pair<v1::ItemStatus, std::string_view>, 5>
    kStatusNames = {{{v1::ITEM_STATUS_OPEN, "open"},
                     {v1::ITEM_STATUS_CLAIMED, "claimed"},
                     {v1::ITEM_STATUS_ESCALATED, "escalated"},
                     {v1::ITEM_STATUS_ACTIONED, "actioned"},
                     {v1::ITEM_STATUS_DISMISSED, "dismissed"}}};

constexpr std::array<std::pair<v1::Decision, std::string_view>, 3>
    kDecisionNames = {{{v1::DECISION_ACTIONED, "actioned"},
                       {v1::DECISION_DISMISSED, "dismissed"},
                       {v1::DECISION_ESCALATED, "escalated"}}};

constexpr std::array<std::pair<v1::Queue, std::string_view>, 2> kQueueNames = {
    {{v1::QUEUE_FLAGGED, "flagged"}, {v1::QUEUE_SAMPLE, "sample"}}};

constexpr std::array<std::pair<v1::EventKind, std::string_view>, 8>
    kEventNames = {{{v1::EVENT_KIND_FLAGGED, "flagged"},
                    {v1::EVENT_KIND_REFLAGGED, "reflagged"},
                    {v1::EVENT_KIND_CLAIMED, "claimed"},
                    {v1::EVENT_KIND_RELEASED, "released"},
                    {v1::EVENT_KIND_DECIDED, "decided"},
                    {v1::EVENT_KIND_REOPENED, "reopened"},
                    {v1::EVENT_KIND_COMMENTED, "commented"},
                    {v1::EVENT_KIND_SAMPLED, "sampled"}}};

template <typename Enum, size_t N>
std::string_view NameOf(
    const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unspecified";
}

template <typename Enum, size_t N>
std::optional<Enum> ValueOf(
    const std::array<std::pair<Enum, std::string_view>, N>& table,
    std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view StatusName(v1::ItemStatus status) {
  return NameOf(kStatusNames, status);
}
std::optional<v1::ItemStatus> ParseStatusName(std::string_view name) {
  return ValueOf(kStatusNames, name);
}
std::string_view DecisionName(v1::Decision decision) {
  return NameOf(kDecisionNames, decision);
}
std::optional<v1::Decision> ParseDecisionName(std::string_view name) {
  return ValueOf(kDecisionNames, name);
}
std::string_view EventKindName(v1::EventKind kind) {
  return NameOf(kEventNames, kind);
}
std::optional<v1::EventKind> ParseEventKindName(std::string_view name) {
  return ValueOf(kEventNames, name);
}

std::string_view QueueName(v1::Queue queue) {
  return NameOf(kQueueNames, queue);
}
std::optional<v1::Queue> ParseQueueName(std::string_view name) {
  return ValueOf(kQueueNames, name);
}

absl::StatusOr<int64_t> CategoryMaskOf(
    const google::protobuf::RepeatedPtrField<std::string>& names) {
  int64_t mask = 0;
  for (const std::string& name : names) {
    auto category = match::ParseCategory(name);
    if (!category) {
      return absl::InvalidArgumentError(match::UnknownCategoryMessage(name));
    }
    mask |= int64_t{1} << static_cast<int>(*category);
  }
  return mask;
}

std::vector<std::string> CategoryNamesOf(int64_t mask) {
  std::vector<std::string> names;
  for (int c = 0; c < match::kNumCategories; ++c) {
    if (mask & (int64_t{1} << c)) {
      names.emplace_back(match::kCategoryNames[c]);
    }
  }
  return names;
}

std::optional<int64_t> DecidedHarmfulMask(const v1::ReviewItem& item) {
  if (item.status() == v1::ITEM_STATUS_DISMISSED) return 0;
  if (item.status() != v1::ITEM_STATUS_ACTIONED) return std::nullopt;
  // The names come from the store, which wrote them: known ones.
  return CategoryMaskOf(item.decided_categories_size() > 0
                            ? item.decided_categories()
                            : item.verdict().flagged_categories())
      .value_or(0);
}

absl::Status CheckDecisionLabels(const ItemState& item, v1::Decision decision,
                                 int64_t category_mask) {
  if (item.queue == v1::QUEUE_SAMPLE && decision == v1::DECISION_ACTIONED &&
      category_mask == 0) {
    return absl::InvalidArgumentError(
        "a sampled item labeled harmful (actioned) needs the categories it "
        "is harmful in");
  }
  return absl::OkStatus();
}

bool LeaseLive(const ItemState& item, int64_t now) {
  return !item.claimed_by.empty() && item.lease_expires_at > now;
}

v1::ItemStatus EffectiveStatus(const ItemState& item, int64_t now) {
  return LeaseLive(item, now) ? v1::ITEM_STATUS_CLAIMED : item.status;
}

absl::Status CheckClaim(const ItemState& item, const std::string& reviewer,
                        int64_t now) {
  if (item.status != v1::ITEM_STATUS_OPEN &&
      item.status != v1::ITEM_STATUS_ESCALATED) {
    return absl::FailedPreconditionError(
        StrCat("item is ", StatusName(item.status), "; reopen it first"));
  }
  if (LeaseLive(item, now) && item.claimed_by != reviewer) {
    return absl::FailedPreconditionError(
        StrCat("item is claimed by ", item.claimed_by));
  }
  return absl::OkStatus();
}

absl::Status CheckHolds(const ItemState& item, const std::string& reviewer,
                        int64_t now) {
  if (!LeaseLive(item, now)) {
    return absl::FailedPreconditionError(
        item.claimed_by == reviewer && !reviewer.empty()
            ? "your claim on this item expired; claim it again"
            : "claim the item first");
  }
  if (item.claimed_by != reviewer) {
    return absl::FailedPreconditionError(
        StrCat("item is claimed by ", item.claimed_by));
  }
  return absl::OkStatus();
}

absl::Status CheckReopen(const ItemState& item, int64_t now) {
  if (item.status == v1::ITEM_STATUS_OPEN) {
    return absl::FailedPreconditionError("item is already open");
  }
  if (LeaseLive(item, now)) {
    return absl::FailedPreconditionError(
        StrCat("item is claimed by ", item.claimed_by));
  }
  return absl::OkStatus();
}

absl::Status StatusAfterDecision(v1::Decision decision,
                                 v1::ItemStatus* status) {
  switch (decision) {
    case v1::DECISION_ACTIONED:
      *status = v1::ITEM_STATUS_ACTIONED;
      return absl::OkStatus();
    case v1::DECISION_DISMISSED:
      *status = v1::ITEM_STATUS_DISMISSED;
      return absl::OkStatus();
    case v1::DECISION_ESCALATED:
      *status = v1::ITEM_STATUS_ESCALATED;
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          "decision must be actioned, dismissed or escalated");
  }
}

}  // namespace vigil::service
