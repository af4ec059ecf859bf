#include "service/store/queue_query.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "absl/strings/escaping.h"
#include "analyzers/match/category.h"
#include "analyzers/util/strings.h"
#include "service/store/item_row.h"
#include "service/store/proto_time.h"
#include "service/store/workflow.h"

namespace vigil::service {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

}  // namespace

void SqlWhere::Add(std::string_view condition, std::vector<SqlValue> values) {
  std::string text(condition);
  size_t value = 0;
  for (size_t at = text.find("$?"); at != std::string::npos;
       at = text.find("$?", at)) {
    params_.push_back(values[value++]);
    const std::string placeholder = StrCat("$", params_.size());
    text.replace(at, 2, placeholder);
    at += placeholder.size();
  }
  sql_ += sql_.empty() ? " WHERE " : " AND ";
  sql_ += "(" + text + ")";
}

absl::Status AddQueueFilter(const v1::QueueFilter& filter, int64_t now,
                            std::span<const v1::ItemStatus> default_statuses,
                            SqlWhere* where) {
  where->Add("queue = $?",
             {SqlValue::Text(std::string(QueueName(filter.queue())))});
  if (filter.categories_size() > 0) {
    absl::StatusOr<int64_t> mask = CategoryMaskOf(filter.categories());
    if (!mask.ok()) return mask.status();
    where->Add("(category_mask & $?) != 0", {SqlValue::Int(*mask)});
  }
  // Sorted and distinct, so that equal filters make equal SQL (and one
  // cached statement).
  std::set<v1::ItemStatus> statuses;
  for (int status : filter.statuses()) {
    statuses.insert(static_cast<v1::ItemStatus>(status));
  }
  if (statuses.empty()) {
    statuses.insert(default_statuses.begin(), default_statuses.end());
  }
  if (!statuses.empty()) {
    std::string any;
    std::vector<SqlValue> values;
    for (v1::ItemStatus status : statuses) {
      if (!any.empty()) any += " OR ";
      switch (status) {
        case v1::ITEM_STATUS_CLAIMED:
          any += "(claimed_by IS NOT NULL AND lease_expires_at > $?)";
          values.push_back(SqlValue::Int(now));
          break;
        case v1::ITEM_STATUS_OPEN:
        case v1::ITEM_STATUS_ESCALATED:
          any +=
              "(status = $? AND (claimed_by IS NULL OR lease_expires_at <= "
              "$?))";
          values.push_back(SqlValue::Text(std::string(StatusName(status))));
          values.push_back(SqlValue::Int(now));
          break;
        case v1::ITEM_STATUS_ACTIONED:
        case v1::ITEM_STATUS_DISMISSED:
          any += "(status = $?)";
          values.push_back(SqlValue::Text(std::string(StatusName(status))));
          break;
        default:
          return absl::InvalidArgumentError(
              StrCat("unknown item status ", static_cast<int>(status)));
      }
    }
    where->Add(any, std::move(values));
  }
  if (filter.has_min_score()) {
    where->Add("max_score >= $?", {SqlValue::Real(filter.min_score())});
  }
  if (filter.has_max_score()) {
    where->Add("max_score <= $?", {SqlValue::Real(filter.max_score())});
  }
  for (const auto* ts : {&filter.flagged_after(), &filter.flagged_before()}) {
    if (!ValidTimestamp(*ts)) {
      return absl::InvalidArgumentError(
          "timestamps must lie between years 1 and 9999");
    }
  }
  if (filter.has_flagged_after()) {
    where->Add("last_flagged_at >= $?",
               {SqlValue::Int(Micros(filter.flagged_after()))});
  }
  if (filter.has_flagged_before()) {
    where->Add("last_flagged_at < $?",
               {SqlValue::Int(Micros(filter.flagged_before()))});
  }
  if (!filter.source().empty()) {
    where->Add("source = $?", {SqlValue::Text(filter.source())});
  }
  return absl::OkStatus();
}

std::string_view QueueOrderBy(v1::QueueOrder order) {
  return order == v1::QUEUE_ORDER_TIME
             ? " ORDER BY last_flagged_at DESC, item_id DESC"
             : " ORDER BY max_score DESC, item_id DESC";
}

// Tokens are "s:<score>:<item_id>" or "t:<micros>:<item_id>", base64url.
std::string EncodePageToken(v1::QueueOrder order, const v1::ReviewItem& last) {
  char buffer[96];
  if (order == v1::QUEUE_ORDER_TIME) {
    std::snprintf(buffer, sizeof(buffer), "t:%lld:%lld",
                  static_cast<long long>(Micros(last.last_flagged_at())),
                  static_cast<long long>(last.item_id()));
  } else {
    std::snprintf(buffer, sizeof(buffer), "s:%.17g:%lld", last.max_score(),
                  static_cast<long long>(last.item_id()));
  }
  return absl::WebSafeBase64Escape(buffer);
}

absl::StatusOr<PageKey> DecodePageToken(std::string_view token,
                                        v1::QueueOrder order) {
  std::string decoded;
  const absl::Status malformed = absl::InvalidArgumentError(
      "malformed page_token: pass next_page_token from the previous page "
      "with the same order");
  if (!absl::WebSafeBase64Unescape(
          absl::string_view(token.data(), token.size()), &decoded)) {
    return malformed;
  }
  const char expected = order == v1::QUEUE_ORDER_TIME ? 't' : 's';
  if (decoded.size() < 5 || decoded[0] != expected || decoded[1] != ':') {
    return malformed;
  }
  const size_t colon = decoded.find(':', 2);
  if (colon == std::string::npos) return malformed;
  const std::string key = decoded.substr(2, colon - 2);
  const std::string id = decoded.substr(colon + 1);
  PageKey page;
  page.order = order;
  char* end = nullptr;
  errno = 0;
  page.item_id = std::strtoll(id.c_str(), &end, 10);
  if (id.empty() || *end != '\0' || errno != 0) return malformed;
  if (order == v1::QUEUE_ORDER_TIME) {
    page.micros = std::strtoll(key.c_str(), &end, 10);
  } else {
    page.score = std::strtod(key.c_str(), &end);
  }
  if (key.empty() || *end != '\0' || errno != 0) return malformed;
  return page;
}

void AddAfterPageKey(const PageKey& key, SqlWhere* where) {
  if (key.order == v1::QUEUE_ORDER_TIME) {
    where->Add(
        "last_flagged_at < $? OR (last_flagged_at = $? AND item_id < $?)",
        {SqlValue::Int(key.micros), SqlValue::Int(key.micros),
         SqlValue::Int(key.item_id)});
  } else {
    where->Add("max_score < $? OR (max_score = $? AND item_id < $?)",
               {SqlValue::Real(key.score), SqlValue::Real(key.score),
                SqlValue::Int(key.item_id)});
  }
}

absl::StatusOr<QueueQuery> BuildQueueQuery(const v1::ListQueueRequest& request,
                                           int64_t now) {
  if (request.page_size() < 0) {
    return absl::InvalidArgumentError("page_size must not be negative");
  }
  if (!v1::QueueOrder_IsValid(request.order())) {
    return absl::InvalidArgumentError("unknown queue order");
  }
  SqlWhere where;
  if (absl::Status s = AddQueueFilter(request.filter(), now, {}, &where);
      !s.ok()) {
    return s;
  }
  if (!request.page_token().empty()) {
    auto key = DecodePageToken(request.page_token(), request.order());
    if (!key.ok()) return key.status();
    AddAfterPageKey(*key, &where);
  }
  QueueQuery query;
  query.page_size = request.page_size() == 0
                        ? kDefaultPageSize
                        : std::min(request.page_size(), kMaxPageSize);
  where.params().push_back(SqlValue::Int(query.page_size + 1));
  query.statement.sql =
      StrCat("SELECT ", ItemColumnList(), " FROM items", where.sql(),
             QueueOrderBy(request.order()), " LIMIT $", where.params().size());
  query.statement.params = std::move(where.params());
  return query;
}

absl::StatusOr<SqlStatement> BuildClaimNextQuery(const v1::QueueFilter& filter,
                                                 int64_t now,
                                                 SqlDialect dialect) {
  static constexpr v1::ItemStatus kOpen[] = {v1::ITEM_STATUS_OPEN};
  for (int status : filter.statuses()) {
    if (status != v1::ITEM_STATUS_OPEN && status != v1::ITEM_STATUS_ESCALATED) {
      return absl::InvalidArgumentError(
          "only open or escalated items can be claimed");
    }
  }
  SqlWhere where;
  if (absl::Status s = AddQueueFilter(filter, now, kOpen, &where); !s.ok()) {
    return s;
  }
  SqlStatement statement;
  statement.sql =
      StrCat("SELECT ", ItemColumnList(), " FROM items", where.sql(),
             QueueOrderBy(v1::QUEUE_ORDER_SCORE), " LIMIT 1",
             dialect == SqlDialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "");
  statement.params = std::move(where.params());
  return statement;
}

}  // namespace vigil::service
