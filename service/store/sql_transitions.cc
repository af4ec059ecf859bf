// SqlFlagStore's workflow transitions (Claim, Release, Decide, Reopen) and
// comments. Each transition runs one shape of transaction, Transition():
// lock the item's row, check the workflow rule (workflow.h) against its
// state, update the row, append the event that records it, and read the
// item back.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "analyzers/util/strings.h"
#include "service/store/event_log.h"
#include "service/store/item_row.h"
#include "service/store/queue_query.h"
#include "service/store/sql_flag_store.h"
#include "service/store/workflow.h"

namespace vigil::service {
namespace {

constexpr int kDefaultLeaseSeconds = 300;
constexpr int kMaxLeaseSeconds = 3600;
constexpr size_t kMaxCommentBytes = 4096;
constexpr size_t kMaxReasonBytes = 4096;

// Records a decision on item $1: status $2, decision $3 by $4 for reason $5
// at $6, with category labels $7; the verdict decided on is kept.
constexpr char kDecideSql[] =
    "UPDATE items SET status = $2, claimed_by = NULL, lease_expires_at = "
    "NULL, decision = $3, decided_by = $4, decision_reason = $5, decided_at "
    "= $6, decided_verdict = verdict, decided_categories = $7 WHERE item_id "
    "= $1";

// What a transition does to the item it checked.
struct ItemChange {
  // Log first that another reviewer's lease ran out (NoteExpiredLease).
  bool note_expired_lease = false;
  // The UPDATE of the item's row.
  SqlStatement update;
  // The event that records the change; Transition() sets its item_id,
  // actor and time.
  EventFields event;
};

// Reads one item's row, locked for the transaction on PostgreSQL.
absl::StatusOr<SqlRow> LockItem(SqlConnection& db, int64_t item_id) {
  const std::string sql =
      StrCat("SELECT ", ItemColumnList(), " FROM items WHERE item_id = $1",
             db.dialect() == SqlDialect::kPostgres ? " FOR UPDATE" : "");
  SqlValue params[] = {SqlValue::Int(item_id)};
  auto rows = db.Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::NotFoundError(StrCat("no review item ", item_id));
  }
  return std::move((*rows)[0]);
}

// The first row `pick` selects; NOT_FOUND with `none` when it selects none.
absl::StatusOr<SqlRow> PickItem(SqlConnection& db, const SqlStatement& pick,
                                const std::string& none) {
  auto rows = db.Query(pick.sql, pick.params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::NotFoundError(none);
  return std::move((*rows)[0]);
}

// When another reviewer's lease ran out, the log says so before the next
// claim or reopening.
absl::Status NoteExpiredLease(SqlConnection& db, int64_t item_id,
                              const ItemState& state, int64_t now) {
  if (state.claimed_by.empty() || LeaseLive(state, now)) {
    return absl::OkStatus();
  }
  EventFields e;
  e.item_id = item_id;
  e.kind = v1::EVENT_KIND_RELEASED;
  e.actor = "lease-expired";
  e.at = state.lease_expires_at;
  e.status_after = state.status;
  e.text = StrCat("lease of ", state.claimed_by, " expired");
  return AppendEvent(db, e).status();
}

// Gives the item to `reviewer` until `lease_expires_at`; an empty reviewer
// clears the claim.
SqlStatement SetClaim(int64_t item_id, const std::string& reviewer,
                      int64_t lease_expires_at) {
  return {
      "UPDATE items SET claimed_by = $2, lease_expires_at = $3 WHERE "
      "item_id = $1",
      {SqlValue::Int(item_id),
       reviewer.empty() ? SqlValue::Null() : SqlValue::Text(reviewer),
       reviewer.empty() ? SqlValue::Null() : SqlValue::Int(lease_expires_at)}};
}

absl::Status CheckReviewer(const std::string& reviewer) {
  if (reviewer.empty()) {
    return absl::InvalidArgumentError("the reviewer has no name");
  }
  return absl::OkStatus();
}

absl::Status CheckReason(const std::string& reason) {
  if (reason.size() > kMaxReasonBytes) {
    return absl::InvalidArgumentError(
        StrCat("reason is longer than ", kMaxReasonBytes, " bytes"));
  }
  return absl::OkStatus();
}

// A decision's arguments, checked once for Decide and DecideCluster: the
// status it leads to and its category labels as a mask.
struct CheckedDecision {
  v1::ItemStatus after = v1::ITEM_STATUS_UNSPECIFIED;
  int64_t label_mask = 0;
};

absl::StatusOr<CheckedDecision> CheckDecision(
    const std::string& reviewer, v1::Decision decision,
    const std::string& reason,
    const google::protobuf::RepeatedPtrField<std::string>& categories) {
  if (absl::Status s = CheckReviewer(reviewer); !s.ok()) return s;
  CheckedDecision checked;
  if (absl::Status s = StatusAfterDecision(decision, &checked.after); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckReason(reason); !s.ok()) return s;
  absl::StatusOr<int64_t> labels = CategoryMaskOf(categories);
  if (!labels.ok()) return labels.status();
  checked.label_mask = *labels;
  return checked;
}

}  // namespace

// One transition of one item by a reviewer at a time.
struct SqlFlagStore::ItemTransition {
  // The item: the one `pick` selects (rows of ItemColumnList()) when set,
  // NOT_FOUND with `none_picked` when it selects none; item `item_id`
  // otherwise.
  int64_t item_id = 0;
  std::optional<SqlStatement> pick;
  std::string none_picked;
  std::string reviewer;
  int64_t now = 0;
  // OK when the transition applies to an item in this state.
  std::function<absl::Status(const ItemState&)> check;
  // The change, for the item with this id and state (which passed check).
  std::function<ItemChange(int64_t, const ItemState&)> change;
};

absl::StatusOr<v1::ReviewItem> SqlFlagStore::Transition(
    const ItemTransition& t) {
  v1::ReviewItem result;
  absl::Status status = Transact([&](SqlConnection& db) -> absl::Status {
    absl::StatusOr<SqlRow> row = t.pick.has_value()
                                     ? PickItem(db, *t.pick, t.none_picked)
                                     : LockItem(db, t.item_id);
    if (!row.ok()) return row.status();
    const int64_t item_id = (*row)[ItemColumn::kItemId].AsInt();
    const ItemState state = StateOf(*row);
    if (absl::Status s = t.check(state); !s.ok()) return s;
    ItemChange change = t.change(item_id, state);
    if (change.note_expired_lease) {
      if (absl::Status s = NoteExpiredLease(db, item_id, state, t.now);
          !s.ok()) {
        return s;
      }
    }
    if (auto done = db.Query(change.update.sql, change.update.params);
        !done.ok()) {
      return done.status();
    }
    change.event.item_id = item_id;
    change.event.actor = t.reviewer;
    change.event.at = t.now;
    if (auto event = AppendEvent(db, change.event); !event.ok()) {
      return event.status();
    }
    auto updated = LockItem(db, item_id);
    if (!updated.ok()) return updated.status();
    result = ItemFromRow(*updated, t.now);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<v1::ReviewItem> SqlFlagStore::Claim(
    const v1::ClaimRequest& request, const std::string& reviewer) {
  if (absl::Status s = CheckReviewer(reviewer); !s.ok()) return s;
  if (request.lease_seconds() < 0 ||
      request.lease_seconds() > kMaxLeaseSeconds) {
    return absl::InvalidArgumentError(
        StrCat("lease_seconds must be between 1 and ", kMaxLeaseSeconds));
  }
  const int64_t lease_micros =
      int64_t{request.lease_seconds() == 0 ? kDefaultLeaseSeconds
                                           : request.lease_seconds()} *
      1000000;
  ItemTransition t;
  t.item_id = request.item_id();
  t.reviewer = reviewer;
  t.now = Now();
  if (request.item_id() == 0) {
    // Claiming the next item: the best open one no one holds. PostgreSQL
    // skips rows other instances are claiming at this moment.
    auto pick = BuildClaimNextQuery(request.filter(), t.now, dialect_);
    if (!pick.ok()) return pick.status();
    t.pick = *std::move(pick);
    t.none_picked = "no open item matches the filter";
  }
  const int64_t now = t.now;
  t.check = [&](const ItemState& state) {
    return CheckClaim(state, reviewer, now);
  };
  t.change = [&](int64_t item_id, const ItemState& state) {
    ItemChange c;
    c.note_expired_lease = state.claimed_by != reviewer;
    c.update = SetClaim(item_id, reviewer, now + lease_micros);
    c.event.kind = v1::EVENT_KIND_CLAIMED;
    c.event.status_after = v1::ITEM_STATUS_CLAIMED;
    return c;
  };
  return Transition(t);
}

absl::StatusOr<v1::ReviewItem> SqlFlagStore::Release(
    int64_t item_id, const std::string& reviewer) {
  if (absl::Status s = CheckReviewer(reviewer); !s.ok()) return s;
  ItemTransition t;
  t.item_id = item_id;
  t.reviewer = reviewer;
  t.now = Now();
  const int64_t now = t.now;
  t.check = [&](const ItemState& state) {
    return CheckHolds(state, reviewer, now);
  };
  t.change = [](int64_t item_id, const ItemState& state) {
    ItemChange c;
    c.update = SetClaim(item_id, "", 0);
    c.event.kind = v1::EVENT_KIND_RELEASED;
    c.event.status_after = state.status;
    return c;
  };
  return Transition(t);
}

absl::StatusOr<v1::ReviewItem> SqlFlagStore::Decide(
    const v1::DecideRequest& request, const std::string& reviewer,
    const std::string& lexicon_version) {
  absl::StatusOr<CheckedDecision> checked = CheckDecision(
      reviewer, request.decision(), request.reason(), request.categories());
  if (!checked.ok()) return checked.status();
  const v1::ItemStatus after = checked->after;
  const int64_t label_mask = checked->label_mask;
  ItemTransition t;
  t.item_id = request.item_id();
  t.reviewer = reviewer;
  t.now = Now();
  const int64_t now = t.now;
  t.check = [&](const ItemState& state) {
    if (absl::Status s = CheckHolds(state, reviewer, now); !s.ok()) return s;
    return CheckDecisionLabels(state, request.decision(), label_mask);
  };
  t.change = [&](int64_t item_id, const ItemState&) {
    ItemChange c;
    c.update.sql = kDecideSql;
    c.update.params = {
        SqlValue::Int(item_id),
        SqlValue::Text(std::string(StatusName(after))),
        SqlValue::Text(std::string(DecisionName(request.decision()))),
        SqlValue::Text(reviewer),
        SqlValue::Text(request.reason()),
        SqlValue::Int(now),
        label_mask == 0 ? SqlValue::Null() : SqlValue::Int(label_mask)};
    c.event.kind = v1::EVENT_KIND_DECIDED;
    c.event.status_after = after;
    c.event.decision = request.decision();
    c.event.text = request.reason();
    c.event.lexicon_version = lexicon_version;
    return c;
  };
  return Transition(t);
}

absl::StatusOr<v1::ReviewItem> SqlFlagStore::Reopen(
    const v1::ReopenRequest& request, const std::string& reviewer) {
  if (absl::Status s = CheckReviewer(reviewer); !s.ok()) return s;
  if (absl::Status s = CheckReason(request.reason()); !s.ok()) return s;
  ItemTransition t;
  t.item_id = request.item_id();
  t.reviewer = reviewer;
  t.now = Now();
  const int64_t now = t.now;
  t.check = [now](const ItemState& state) { return CheckReopen(state, now); };
  t.change = [&](int64_t item_id, const ItemState&) {
    ItemChange c;
    c.note_expired_lease = true;
    c.update.sql =
        "UPDATE items SET status = 'open', claimed_by = NULL, "
        "lease_expires_at = NULL WHERE item_id = $1";
    c.update.params = {SqlValue::Int(item_id)};
    c.event.kind = v1::EVENT_KIND_REOPENED;
    c.event.status_after = v1::ITEM_STATUS_OPEN;
    c.event.text = request.reason();
    return c;
  };
  return Transition(t);
}

absl::StatusOr<v1::ReviewEvent> SqlFlagStore::Comment(
    const v1::CommentRequest& request, const std::string& reviewer) {
  if (absl::Status s = CheckReviewer(reviewer); !s.ok()) return s;
  if (request.text().empty() || request.text().size() > kMaxCommentBytes) {
    return absl::InvalidArgumentError(
        StrCat("a comment has 1 to ", kMaxCommentBytes, " bytes"));
  }
  const int64_t now = Now();
  v1::ReviewEvent event;
  absl::Status status = Transact([&](SqlConnection& db) -> absl::Status {
    auto row = LockItem(db, request.item_id());
    if (!row.ok()) return row.status();
    EventFields e;
    e.item_id = request.item_id();
    e.kind = v1::EVENT_KIND_COMMENTED;
    e.actor = reviewer;
    e.at = now;
    e.status_after = EffectiveStatus(StateOf(*row), now);
    e.text = request.text();
    auto appended = AppendEvent(db, e);
    if (!appended.ok()) return appended.status();
    event = *std::move(appended);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return event;
}

}  // namespace vigil::service

namespace vigil::service {

absl::StatusOr<v1::DecideClusterResponse> SqlFlagStore::DecideCluster(
    const v1::DecideClusterRequest& request, const std::string& reviewer,
    const std::string& lexicon_version) {
  absl::StatusOr<CheckedDecision> checked = CheckDecision(
      reviewer, request.decision(), request.reason(), request.categories());
  if (!checked.ok()) return checked.status();
  const v1::ItemStatus after = checked->after;
  const int64_t label_mask = checked->label_mask;
  const int64_t now = Now();
  v1::DecideClusterResponse response;
  absl::Status status = Transact([&](SqlConnection& db) -> absl::Status {
    response.Clear();
    SqlValue id[] = {SqlValue::Int(request.cluster_id())};
    auto cluster =
        db.Query("SELECT cluster_id FROM clusters WHERE cluster_id = $1", id);
    if (!cluster.ok()) return cluster.status();
    if (cluster->empty()) {
      return absl::NotFoundError(StrCat("no cluster ", request.cluster_id()));
    }
    // Every item of the cluster, locked on PostgreSQL in id order (as
    // claims lock them one at a time, no deadlock).
    auto rows = db.Query(
        StrCat("SELECT ", ItemColumnList(),
               " FROM items WHERE cluster_id = $1 ORDER BY item_id",
               db.dialect() == SqlDialect::kPostgres ? " FOR UPDATE" : ""),
        id);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) {
      const int64_t item_id = row[ItemColumn::kItemId].AsInt();
      const ItemState state = StateOf(row);
      const v1::ItemStatus seen = EffectiveStatus(state, now);
      if (seen == v1::ITEM_STATUS_CLAIMED && state.claimed_by != reviewer) {
        v1::SkippedItem* skipped = response.add_skipped();
        skipped->set_item_id(item_id);
        skipped->set_claimed_by(state.claimed_by);
        continue;
      }
      if (seen != v1::ITEM_STATUS_OPEN && seen != v1::ITEM_STATUS_CLAIMED) {
        response.set_not_open(response.not_open() + 1);
        continue;
      }
      if (absl::Status s =
              CheckDecisionLabels(state, request.decision(), label_mask);
          !s.ok()) {
        return s;
      }
      if (state.claimed_by != reviewer) {
        if (absl::Status s = NoteExpiredLease(db, item_id, state, now);
            !s.ok()) {
          return s;
        }
      }
      SqlValue params[] = {
          SqlValue::Int(item_id),
          SqlValue::Text(std::string(StatusName(after))),
          SqlValue::Text(std::string(DecisionName(request.decision()))),
          SqlValue::Text(reviewer),
          SqlValue::Text(request.reason()),
          SqlValue::Int(now),
          label_mask == 0 ? SqlValue::Null() : SqlValue::Int(label_mask)};
      if (auto done = db.Query(kDecideSql, params); !done.ok()) {
        return done.status();
      }
      EventFields e;
      e.item_id = item_id;
      e.kind = v1::EVENT_KIND_DECIDED;
      e.actor = reviewer;
      e.at = now;
      e.status_after = after;
      e.decision = request.decision();
      e.text = request.reason();
      e.lexicon_version = lexicon_version;
      e.cluster_id = request.cluster_id();
      if (auto event = AppendEvent(db, e); !event.ok()) return event.status();
      response.add_decided(item_id);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  v1::GetClusterRequest get;
  get.set_cluster_id(request.cluster_id());
  get.set_max_items(1);
  auto cluster = GetCluster(get);
  if (cluster.ok()) *response.mutable_cluster() = cluster->cluster();
  return response;
}

}  // namespace vigil::service
