// The review queue's SQL, built without a database: a queue filter becomes
// a WHERE clause with bound parameters, a page token the condition that
// resumes after the previous page, an order its ORDER BY.
//
//   auto query = BuildQueueQuery(request, now);
//   if (!query.ok()) return query.status();      // INVALID_ARGUMENT
//   auto rows = db.Query(query->statement.sql, query->statement.params);
//   ... read up to query->page_size rows with ItemFromRow (item_row.h) ...
//   if (rows->size() > query->page_size)
//     response.set_next_page_token(EncodePageToken(order, last_item));
//
// Queries select ItemColumnList() from items, so their rows are read with
// ItemFromRow. Parameters are numbered $1, $2, ... in the order they occur;
// equal filters make equal SQL, so drivers' statement caches stay small.
//
// Thread safety: pure functions; an SqlWhere is used by one thread.
#ifndef VIGIL_SERVICE_STORE_QUEUE_QUERY_H_
#define VIGIL_SERVICE_STORE_QUEUE_QUERY_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/store/sql.h"
#include "vigil/v1/review.pb.h"

namespace vigil::service {

// One statement and the values bound to its $1, $2, ...
struct SqlStatement {
  std::string sql;
  std::vector<SqlValue> params;
};

// A WHERE clause with numbered parameters, built condition by condition.
class SqlWhere {
 public:
  // Appends `condition`, in parentheses and joined with AND; each "$?" in it
  // stands for the next of `values`, and becomes "$N" with N its position
  // among all parameters. Precondition: `values` has one value per "$?".
  void Add(std::string_view condition, std::vector<SqlValue> values = {});

  // " WHERE (...) AND (...)", or "" when no condition was added.
  const std::string& sql() const { return sql_; }
  const std::vector<SqlValue>& params() const { return params_; }
  std::vector<SqlValue>& params() { return params_; }

 private:
  std::string sql_;
  std::vector<SqlValue> params_;
};

// Adds the conditions of `filter` as the queue sees it at `now`
// (microseconds since the epoch): categories (any of), statuses (any of;
// `default_statuses` when the filter names none; "claimed" means a live
// lease), score bounds, flagging time range, source.
// INVALID_ARGUMENT for an unknown category or status, or a timestamp
// outside years 1 to 9999.
absl::Status AddQueueFilter(const v1::QueueFilter& filter, int64_t now,
                            std::span<const v1::ItemStatus> default_statuses,
                            SqlWhere* where);

// " ORDER BY ...": newest flagging first for QUEUE_ORDER_TIME, highest
// score first otherwise; ties broken by item_id, descending.
std::string_view QueueOrderBy(v1::QueueOrder order);

// Where a page ended: the sort key and item_id of its last item.
struct PageKey {
  v1::QueueOrder order = v1::QUEUE_ORDER_SCORE;
  double score = 0;    // QUEUE_ORDER_SCORE: max_score
  int64_t micros = 0;  // QUEUE_ORDER_TIME: last_flagged_at
  int64_t item_id = 0;
};

// The opaque token that resumes a listing in `order` after `last`.
std::string EncodePageToken(v1::QueueOrder order, const v1::ReviewItem& last);

// The key a token from EncodePageToken(order, ...) holds. INVALID_ARGUMENT
// when `token` is not such a token, or was made for the other order.
absl::StatusOr<PageKey> DecodePageToken(std::string_view token,
                                        v1::QueueOrder order);

// Adds the condition "sorts after `key`" in key.order.
void AddAfterPageKey(const PageKey& key, SqlWhere* where);

// A page of the queue: the statement (with LIMIT page_size + 1, so that a
// further row says there is a next page) and the page size.
struct QueueQuery {
  SqlStatement statement;
  int page_size = 0;
};

// The query that lists `request`'s page at `now`. INVALID_ARGUMENT for a
// negative page size, an unknown order, a bad filter (AddQueueFilter) or a
// malformed page token. A page size of 0 means 50; more than 500 means 500.
absl::StatusOr<QueueQuery> BuildQueueQuery(const v1::ListQueueRequest& request,
                                           int64_t now);

// The query that picks the item "claim next" takes at `now`: the best
// (highest score) item matching `filter`, open by default, no one holds.
// On PostgreSQL it locks the row and skips rows other transactions hold.
// INVALID_ARGUMENT when the filter names a status other than open or
// escalated, or is bad (AddQueueFilter).
absl::StatusOr<SqlStatement> BuildClaimNextQuery(const v1::QueueFilter& filter,
                                                 int64_t now,
                                                 SqlDialect dialect);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_QUEUE_QUERY_H_
