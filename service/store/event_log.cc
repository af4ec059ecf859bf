#include "service/store/event_log.h"

#include <cstddef>
#include <iterator>
#include <string_view>
#include <vector>

#include "analyzers/util/strings.h"
#include "service/store/proto_time.h"
#include "service/store/workflow.h"

namespace vigil::service {
namespace {

// The columns ReadEvents selects, and their indices in its rows.
constexpr char kEventColumns[] =
    "event_id, item_id, kind, actor, at, status_after, decision, text, "
    "lexicon_version, cluster_id";
enum EventColumn : size_t {
  kEventId,
  kItemId,
  kKind,
  kActor,
  kAt,
  kStatusAfter,
  kDecision,
  kText,
  kLexiconVersion,
  kClusterId,
  kEventColumnCount,
};
static_assert(
    [] {
      size_t commas = 0;
      for (char c : std::string_view(kEventColumns)) commas += c == ',';
      return commas + 1 == kEventColumnCount;
    }(),
    "kEventColumns names one column per EventColumn");

SqlValue TextOrNull(const std::string& text) {
  return text.empty() ? SqlValue::Null() : SqlValue::Text(text);
}

v1::ReviewEvent EventFromRow(const SqlRow& row) {
  v1::ReviewEvent event;
  event.set_event_id(row[kEventId].AsInt());
  event.set_item_id(row[kItemId].AsInt());
  event.set_kind(ParseEventKindName(row[kKind].AsString())
                     .value_or(v1::EVENT_KIND_UNSPECIFIED));
  event.set_actor(row[kActor].AsString());
  SetTime(row[kAt].AsInt(), event.mutable_at());
  event.set_status_after(ParseStatusName(row[kStatusAfter].AsString())
                             .value_or(v1::ITEM_STATUS_UNSPECIFIED));
  event.set_decision(ParseDecisionName(row[kDecision].AsString())
                         .value_or(v1::DECISION_UNSPECIFIED));
  event.set_text(row[kText].AsString());
  event.set_lexicon_version(row[kLexiconVersion].AsString());
  event.set_cluster_id(row[kClusterId].AsInt());
  return event;
}

}  // namespace

absl::StatusOr<v1::ReviewEvent> AppendEvent(SqlConnection& db,
                                            const EventFields& e) {
  SqlValue params[] = {
      SqlValue::Int(e.item_id),
      SqlValue::Text(std::string(EventKindName(e.kind))),
      SqlValue::Text(e.actor),
      SqlValue::Int(e.at),
      SqlValue::Text(std::string(StatusName(e.status_after))),
      e.decision == v1::DECISION_UNSPECIFIED
          ? SqlValue::Null()
          : SqlValue::Text(std::string(DecisionName(e.decision))),
      TextOrNull(e.text),
      TextOrNull(e.lexicon_version),
      e.cluster_id == 0 ? SqlValue::Null() : SqlValue::Int(e.cluster_id)};
  auto rows = db.Query(
      "INSERT INTO events (item_id, kind, actor, at, status_after, decision, "
      "text, lexicon_version, cluster_id) VALUES ($1, $2, $3, $4, $5, $6, $7, "
      "$8, $9) RETURNING event_id",
      params);
  if (!rows.ok()) return rows.status();
  v1::ReviewEvent event;
  event.set_event_id((*rows)[0][0].AsInt());
  event.set_item_id(e.item_id);
  event.set_kind(e.kind);
  event.set_actor(e.actor);
  SetTime(e.at, event.mutable_at());
  event.set_status_after(e.status_after);
  event.set_decision(e.decision);
  event.set_text(e.text);
  event.set_lexicon_version(e.lexicon_version);
  event.set_cluster_id(e.cluster_id);
  return event;
}

absl::Status AppendFlagEvents(SqlConnection& db,
                              std::span<const EventFields> events) {
  static constexpr size_t kChunks[] = {256, 32, 4, 1};
  size_t next = 0;
  for (size_t chunk : kChunks) {
    while (events.size() - next >= chunk) {
      std::string sql =
          "INSERT INTO events (item_id, kind, actor, at, status_after, "
          "lexicon_version) VALUES ";
      std::vector<SqlValue> params;
      params.reserve(chunk * 6);
      for (size_t r = 0; r < chunk; ++r) {
        const EventFields& e = events[next + r];
        const size_t base = params.size();
        sql += StrCat(r == 0 ? "" : ", ", "($", base + 1, ", $", base + 2,
                      ", $", base + 3, ", $", base + 4, ", $", base + 5, ", $",
                      base + 6, ")");
        params.push_back(SqlValue::Int(e.item_id));
        params.push_back(SqlValue::Text(std::string(EventKindName(e.kind))));
        params.push_back(SqlValue::Text(e.actor));
        params.push_back(SqlValue::Int(e.at));
        params.push_back(
            SqlValue::Text(std::string(StatusName(e.status_after))));
        params.push_back(TextOrNull(e.lexicon_version));
      }
      if (auto done = db.Query(sql, params); !done.ok()) {
        return done.status();
      }
      next += chunk;
    }
  }
  return absl::OkStatus();
}

absl::Status ReadEvents(
    SqlConnection& db, int64_t item_id,
    google::protobuf::RepeatedPtrField<v1::ReviewEvent>* out) {
  SqlValue params[] = {SqlValue::Int(item_id)};
  auto rows = db.Query(StrCat("SELECT ", kEventColumns,
                              " FROM events WHERE item_id = $1 ORDER BY "
                              "event_id"),
                       params);
  if (!rows.ok()) return rows.status();
  for (const SqlRow& row : *rows) *out->Add() = EventFromRow(row);
  return absl::OkStatus();
}

}  // namespace vigil::service
