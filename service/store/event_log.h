// The review audit log: the events table, appended to and read in order.
// Events are never changed or deleted; every transition of an item (flag,
// claim, release, decision, reopening, comment) appends one in the same
// transaction as the change it records.
//
//   EventFields e;
//   e.item_id = id; e.kind = v1::EVENT_KIND_CLAIMED; e.actor = reviewer;
//   e.at = now; e.status_after = v1::ITEM_STATUS_CLAIMED;
//   auto event = AppendEvent(db, e);
//
// Thread safety: functions over a connection, which one thread uses at a
// time (sql.h).
#ifndef VIGIL_SERVICE_STORE_EVENT_LOG_H_
#define VIGIL_SERVICE_STORE_EVENT_LOG_H_

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/store/sql.h"
#include "vigil/v1/review.pb.h"

namespace vigil::service {

// An event to append; empty text and lexicon version, and
// DECISION_UNSPECIFIED, are stored as NULL.
struct EventFields {
  int64_t item_id = 0;
  v1::EventKind kind = v1::EVENT_KIND_UNSPECIFIED;
  std::string actor;
  int64_t at = 0;  // microseconds since the epoch
  v1::ItemStatus status_after = v1::ITEM_STATUS_OPEN;
  v1::Decision decision = v1::DECISION_UNSPECIFIED;
  std::string text;
  std::string lexicon_version;
  int64_t cluster_id = 0;  // 0: stored as NULL
};

// Appends `e` and returns it as stored, with its new event_id. Errors are
// the connection's.
absl::StatusOr<v1::ReviewEvent> AppendEvent(SqlConnection& db,
                                            const EventFields& e);

// Appends flag events, in order, with a handful of multi-row INSERTs (of a
// few fixed sizes, so that statement caches stay small). Only item_id,
// kind, actor, at, status_after and lexicon_version are stored: decision
// and text must be unset. Errors are the connection's.
absl::Status AppendFlagEvents(SqlConnection& db,
                              std::span<const EventFields> events);

// Appends the events of item `item_id` to `out`, oldest first. Unknown
// kind, status or decision names read as the UNSPECIFIED values. Errors are
// the connection's; an unknown item has no events.
absl::Status ReadEvents(
    SqlConnection& db, int64_t item_id,
    google::protobuf::RepeatedPtrField<v1::ReviewEvent>* out);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_EVENT_LOG_H_
