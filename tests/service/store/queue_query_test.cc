// The queue's SQL without a database: filters, orders, page tokens.
#include "service/store/queue_query.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/escaping.h"
#include "analyzers/util/strings.h"
#include "service/store/item_row.h"

namespace vigil::service {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1700000000000000;

// A bound value as the tests spell it: null, int:N, real:X, text:S.
std::string Show(const SqlValue& v) {
  if (v.is_null()) return "null";
  if (const auto* i = std::get_if<int64_t>(&v.value)) return StrCat("int:", *i);
  if (const auto* d = std::get_if<double>(&v.value)) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "real:%g", *d);
    return buffer;
  }
  if (const auto* s = std::get_if<std::string>(&v.value)) {
    return StrCat("text:", *s);
  }
  return StrCat("blob:", v.AsString());
}

std::vector<std::string> Show(const std::vector<SqlValue>& values) {
  std::vector<std::string> out;
  for (const SqlValue& v : values) out.push_back(Show(v));
  return out;
}

template <typename Message>
Message Parse(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

std::string Select(const std::string& rest) {
  return StrCat("SELECT ", ItemColumnList(), " FROM items", rest);
}

struct FilterCase {
  const char* name;
  std::string filter;  // text format
  std::vector<v1::ItemStatus> default_statuses;
  std::string sql;
  std::vector<std::string> params;
};

TEST(QueueQueryTest, FiltersMakeTheirConditionsAndParams) {
  const std::string open_1 =
      "(status = $2 AND (claimed_by IS NULL OR lease_expires_at <= $3))";
  const std::string now = StrCat("int:", kNow);
  const FilterCase kCases[] = {
      {"empty: the flagged queue",
       "",
       {},
       " WHERE (queue = $1)",
       {"text:flagged"}},
      {"the sample queue",
       "queue: QUEUE_SAMPLE",
       {},
       " WHERE (queue = $1)",
       {"text:sample"}},
      {"categories are one mask",
       "categories: 'insult' categories: 'profanity'",
       {},
       " WHERE (queue = $1) AND ((category_mask & $2) != 0)",
       {"text:flagged", "int:3"}},
      {"defaults apply without statuses",
       "",
       {v1::ITEM_STATUS_OPEN},
       " WHERE (queue = $1) AND (" + open_1 + ")",
       {"text:flagged", "text:open", now}},
      {"statuses are sorted and distinct; defaults ignored",
       "statuses: ITEM_STATUS_DISMISSED statuses: ITEM_STATUS_CLAIMED "
       "statuses: ITEM_STATUS_DISMISSED statuses: ITEM_STATUS_ESCALATED",
       {v1::ITEM_STATUS_OPEN},
       " WHERE (queue = $1) AND ((claimed_by IS NOT NULL AND lease_expires_at "
       "> $2) OR "
       "(status = $3 AND (claimed_by IS NULL OR lease_expires_at <= $4)) OR "
       "(status = $5))",
       {"text:flagged", now, "text:escalated", now, "text:dismissed"}},
      {"score bounds",
       "min_score: 0.25 max_score: 0.75",
       {},
       " WHERE (queue = $1) AND (max_score >= $2) AND (max_score <= $3)",
       {"text:flagged", "real:0.25", "real:0.75"}},
      {"flagging range",
       "flagged_after { seconds: 10 nanos: 5000 } "
       "flagged_before { seconds: 20 }",
       {},
       " WHERE (queue = $1) AND (last_flagged_at >= $2) AND (last_flagged_at < "
       "$3)",
       {"text:flagged", "int:10000005", "int:20000000"}},
      {"source",
       "source: 'forum'",
       {},
       " WHERE (queue = $1) AND (source = $2)",
       {"text:flagged", "text:forum"}},
      {"everything numbers its parameters in order",
       "source: 'forum' min_score: 0.5 categories: 'spam' "
       "statuses: ITEM_STATUS_ACTIONED",
       {},
       " WHERE (queue = $1) AND ((category_mask & $2) != 0) AND ((status = "
       "$3)) AND "
       "(max_score >= $4) AND (source = $5)",
       {"text:flagged", "int:128", "text:actioned", "real:0.5", "text:forum"}},
  };
  for (const FilterCase& c : kCases) {
    SCOPED_TRACE(c.name);
    SqlWhere where;
    ASSERT_TRUE(AddQueueFilter(Parse<v1::QueueFilter>(c.filter), kNow,
                               c.default_statuses, &where)
                    .ok());
    EXPECT_EQ(where.sql(), c.sql);
    EXPECT_THAT(Show(where.params()), ElementsAreArray(c.params));
  }
}

TEST(QueueQueryTest, BadFiltersAreInvalidArgument) {
  const struct {
    std::string filter;
    const char* message;
  } kCases[] = {
      {"categories: 'rude'", "unknown category 'rude' (known: profanity"},
      {"statuses: ITEM_STATUS_UNSPECIFIED", "unknown item status 0"},
      {"flagged_after { seconds: -62135596801 }", "between years 1 and 9999"},
      {"flagged_before { nanos: -1 }", "between years 1 and 9999"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.filter);
    SqlWhere where;
    absl::Status status =
        AddQueueFilter(Parse<v1::QueueFilter>(c.filter), kNow, {}, &where);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr(c.message));
  }
}

TEST(QueueQueryTest, QueueQueriesPageAndOrder) {
  const struct {
    std::string request;
    std::string sql;
    std::vector<std::string> params;
    int page_size;
  } kCases[] = {
      {"",
       Select(" WHERE (queue = $1) ORDER BY max_score DESC, item_id DESC LIMIT "
              "$2"),
       {"text:flagged", "int:51"},
       50},
      {"order: QUEUE_ORDER_TIME page_size: 7",
       Select(" WHERE (queue = $1) ORDER BY last_flagged_at DESC, item_id DESC "
              "LIMIT $2"),
       {"text:flagged", "int:8"},
       7},
      {"page_size: 100000",
       Select(" WHERE (queue = $1) ORDER BY max_score DESC, item_id DESC LIMIT "
              "$2"),
       {"text:flagged", "int:501"},
       500},
      {"filter { source: 's' } page_token: '" +
           absl::WebSafeBase64Escape("s:0.5:9") + "'",
       Select(" WHERE (queue = $1) AND (source = $2) AND (max_score < $3 OR "
              "(max_score = $4 "
              "AND item_id < $5)) ORDER BY max_score DESC, item_id DESC "
              "LIMIT $6"),
       {"text:flagged", "text:s", "real:0.5", "real:0.5", "int:9", "int:51"},
       50},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.request);
    auto query = BuildQueueQuery(Parse<v1::ListQueueRequest>(c.request), kNow);
    ASSERT_TRUE(query.ok()) << query.status();
    EXPECT_EQ(query->statement.sql, c.sql);
    EXPECT_THAT(Show(query->statement.params), ElementsAreArray(c.params));
    EXPECT_EQ(query->page_size, c.page_size);
  }
}

TEST(QueueQueryTest, BadQueueRequestsAreInvalidArgument) {
  v1::ListQueueRequest negative;
  negative.set_page_size(-1);
  v1::ListQueueRequest unknown_order;
  unknown_order.set_order(static_cast<v1::QueueOrder>(9));
  v1::ListQueueRequest bad_filter;
  bad_filter.mutable_filter()->add_categories("rude");
  v1::ListQueueRequest bad_token;
  bad_token.set_page_token("not a token");
  for (const v1::ListQueueRequest* request :
       {&negative, &unknown_order, &bad_filter, &bad_token}) {
    SCOPED_TRACE(request->ShortDebugString());
    EXPECT_EQ(BuildQueueQuery(*request, kNow).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(QueueQueryTest, PageTokensRoundTrip) {
  const struct {
    v1::QueueOrder order;
    std::string last;  // a ReviewItem in text format
    PageKey key;
  } kCases[] = {
      {v1::QUEUE_ORDER_SCORE,
       "item_id: 42 max_score: 0.30000000000000004",
       {v1::QUEUE_ORDER_SCORE, 0.30000000000000004, 0, 42}},
      {v1::QUEUE_ORDER_SCORE, "item_id: 1", {v1::QUEUE_ORDER_SCORE, 0, 0, 1}},
      {v1::QUEUE_ORDER_TIME,
       "item_id: 9223372036854775807 last_flagged_at { seconds: 1700000000 "
       "nanos: 123456000 }",
       {v1::QUEUE_ORDER_TIME, 0, 1700000000123456, 9223372036854775807}},
      {v1::QUEUE_ORDER_TIME,
       "item_id: 3 last_flagged_at { seconds: -5 }",
       {v1::QUEUE_ORDER_TIME, 0, -5000000, 3}},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.last);
    const std::string token =
        EncodePageToken(c.order, Parse<v1::ReviewItem>(c.last));
    auto key = DecodePageToken(token, c.order);
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(key->order, c.key.order);
    EXPECT_EQ(key->score, c.key.score);  // exactly: %.17g round-trips
    EXPECT_EQ(key->micros, c.key.micros);
    EXPECT_EQ(key->item_id, c.key.item_id);
    // A token is for one order only.
    const v1::QueueOrder other = c.order == v1::QUEUE_ORDER_TIME
                                     ? v1::QUEUE_ORDER_SCORE
                                     : v1::QUEUE_ORDER_TIME;
    EXPECT_EQ(DecodePageToken(token, other).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(QueueQueryTest, MalformedPageTokensAreInvalidArgument) {
  const std::string kCases[] = {
      "",
      "!!!not base64",
      absl::WebSafeBase64Escape("s:1"),
      absl::WebSafeBase64Escape("s:1:"),
      absl::WebSafeBase64Escape("s::17"),
      absl::WebSafeBase64Escape("s:abc:1"),
      absl::WebSafeBase64Escape("s:0.5:x"),
      absl::WebSafeBase64Escape("s:0.5:1:2"),
      absl::WebSafeBase64Escape("s:1e999:1"),  // out of range
      absl::WebSafeBase64Escape("t:0.5:1"),    // not an integer
      absl::WebSafeBase64Escape("t:1:99999999999999999999"),
      absl::WebSafeBase64Escape("x:1:2"),
      absl::WebSafeBase64Escape("s-1:2"),
  };
  for (const std::string& token : kCases) {
    SCOPED_TRACE(token);
    for (v1::QueueOrder order : {v1::QUEUE_ORDER_SCORE, v1::QUEUE_ORDER_TIME}) {
      absl::StatusOr<PageKey> key = DecodePageToken(token, order);
      EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(key.status().message(), HasSubstr("malformed page_token"));
    }
  }
}

TEST(QueueQueryTest, PageKeysResumeAfterTheLastItem) {
  const struct {
    PageKey key;
    std::string sql;
    std::vector<std::string> params;
  } kCases[] = {
      {{v1::QUEUE_ORDER_SCORE, 0.5, 0, 9},
       " WHERE (max_score < $1 OR (max_score = $2 AND item_id < $3))",
       {"real:0.5", "real:0.5", "int:9"}},
      {{v1::QUEUE_ORDER_TIME, 0, 77, 9},
       " WHERE (last_flagged_at < $1 OR (last_flagged_at = $2 AND item_id < "
       "$3))",
       {"int:77", "int:77", "int:9"}},
  };
  for (const auto& c : kCases) {
    SqlWhere where;
    AddAfterPageKey(c.key, &where);
    EXPECT_EQ(where.sql(), c.sql);
    EXPECT_THAT(Show(where.params()), ElementsAreArray(c.params));
  }
}

TEST(QueueQueryTest, ClaimNextTakesTheBestOpenUnheldItem) {
  const std::string now = StrCat("int:", kNow);
  const struct {
    std::string filter;
    SqlDialect dialect;
    std::string sql;
    std::vector<std::string> params;
  } kCases[] = {
      {"",
       SqlDialect::kSqlite,
       Select(
           " WHERE (queue = $1) AND ((status = $2 AND (claimed_by IS NULL OR "
           "lease_expires_at <= $3))) ORDER BY max_score DESC, item_id "
           "DESC LIMIT 1"),
       {"text:flagged", "text:open", now}},
      {"statuses: ITEM_STATUS_ESCALATED",
       SqlDialect::kPostgres,
       Select(
           " WHERE (queue = $1) AND ((status = $2 AND (claimed_by IS NULL OR "
           "lease_expires_at <= $3))) ORDER BY max_score DESC, item_id "
           "DESC LIMIT 1 FOR UPDATE SKIP LOCKED"),
       {"text:flagged", "text:escalated", now}},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.filter);
    auto query =
        BuildClaimNextQuery(Parse<v1::QueueFilter>(c.filter), kNow, c.dialect);
    ASSERT_TRUE(query.ok()) << query.status();
    EXPECT_EQ(query->sql, c.sql);
    EXPECT_THAT(Show(query->params), ElementsAreArray(c.params));
  }
  for (const char* filter :
       {"statuses: ITEM_STATUS_CLAIMED", "statuses: ITEM_STATUS_ACTIONED",
        "statuses: ITEM_STATUS_OPEN categories: 'rude'"}) {
    SCOPED_TRACE(filter);
    EXPECT_EQ(BuildClaimNextQuery(Parse<v1::QueueFilter>(filter), kNow,
                                  SqlDialect::kSqlite)
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace vigil::service
