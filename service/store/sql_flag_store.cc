#include "service/store/sql_flag_store.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/escaping.h"
#include "analyzers/match/category.h"
#include "analyzers/util/strings.h"
#include "service/store/proto_time.h"
#include "service/store/schema.h"

namespace vigil::service {

// A bounded set of connections, opened on demand.
class SqlFlagStore::Pool {
 public:
  Pool(Connect connect, int size) : connect_(std::move(connect)), max_(size) {}

  absl::StatusOr<std::unique_ptr<SqlConnection>> Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      std::unique_ptr<SqlConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;
    lock.unlock();
    auto connection = connect_();
    if (!connection.ok()) {
      lock.lock();
      --open_;
      cv_.notify_one();
    }
    return connection;
  }

  void Return(std::unique_ptr<SqlConnection> connection) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(connection));
    cv_.notify_one();
  }

 private:
  Connect connect_;
  const int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;
  int open_ = 0;
};

struct SqlFlagStore::Writer {
  std::vector<FlaggedPost> posts;
  Done done;
};

namespace {

constexpr int kMaxAttempts = 4;
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kDefaultLeaseSeconds = 300;
constexpr int kMaxLeaseSeconds = 3600;
constexpr size_t kMaxCommentBytes = 4096;
constexpr size_t kMaxReasonBytes = 4096;
// Posts committed per group commit at most.
constexpr size_t kMaxGroupPosts = 4096;
// Items erased per retention transaction.
constexpr int64_t kEraseBatch = 1000;

constexpr char kItemColumns[] =
    "item_id, source, post_id, text, post, verdict, status, max_score, "
    "first_flagged_at, last_flagged_at, times_flagged, claimed_by, "
    "lease_expires_at, decision, decided_by, decision_reason, decided_at, "
    "text_erased_at";

int64_t SystemMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ItemState StateOf(const SqlRow& row) {
  ItemState state;
  state.status =
      ParseStatusName(row[6].AsString()).value_or(v1::ITEM_STATUS_OPEN);
  state.claimed_by = row[11].AsString();
  state.lease_expires_at = row[12].AsInt();
  return state;
}

v1::ReviewItem ItemFromRow(const SqlRow& row, int64_t now) {
  v1::ReviewItem item;
  item.set_item_id(row[0].AsInt());
  if (!row[4].is_null())
    item.mutable_post()->ParseFromString(row[4].AsString());
  item.mutable_post()->set_source(row[1].AsString());
  item.mutable_post()->set_id(row[2].AsString());
  if (!row[3].is_null()) item.mutable_post()->set_text(row[3].AsString());
  item.mutable_verdict()->ParseFromString(row[5].AsString());
  const ItemState state = StateOf(row);
  item.set_status(EffectiveStatus(state, now));
  item.set_max_score(row[7].AsReal());
  SetTime(row[8].AsInt(), item.mutable_first_flagged_at());
  SetTime(row[9].AsInt(), item.mutable_last_flagged_at());
  item.set_times_flagged(static_cast<int32_t>(row[10].AsInt()));
  if (LeaseLive(state, now)) {
    item.set_claimed_by(state.claimed_by);
    SetTime(state.lease_expires_at, item.mutable_lease_expires_at());
  }
  if (!row[13].is_null()) {
    item.set_decision(ParseDecisionName(row[13].AsString())
                          .value_or(v1::DECISION_UNSPECIFIED));
    item.set_decided_by(row[14].AsString());
    item.set_decision_reason(row[15].AsString());
    SetTime(row[16].AsInt(), item.mutable_decided_at());
  }
  if (!row[17].is_null())
    SetTime(row[17].AsInt(), item.mutable_text_erased_at());
  return item;
}

int64_t CategoryMask(const v1::Verdict& verdict) {
  int64_t mask = 0;
  for (const std::string& name : verdict.flagged_categories()) {
    if (auto c = match::ParseCategory(name))
      mask |= int64_t{1} << static_cast<int>(*c);
  }
  return mask;
}

double MaxScore(const v1::Verdict& verdict) {
  double best = 0;
  for (const auto& [category, score] : verdict.scores()) {
    best = std::max(best, score);
  }
  return best;
}

std::string KnownCategories() {
  std::string out;
  for (std::string_view name : match::kCategoryNames) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// Builds a WHERE clause with numbered parameters.
class Where {
 public:
  // Appends a condition; "$?" in it stands for the next parameter.
  void Add(std::string_view condition, std::vector<SqlValue> values = {}) {
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
  const std::string& sql() const { return sql_; }
  std::vector<SqlValue>& params() { return params_; }

 private:
  std::string sql_;
  std::vector<SqlValue> params_;
};

// Adds `filter`'s conditions; `default_statuses` apply when it names none.
absl::Status AddFilter(const v1::QueueFilter& filter, int64_t now,
                       std::span<const v1::ItemStatus> default_statuses,
                       Where* where) {
  if (filter.categories_size() > 0) {
    int64_t mask = 0;
    for (const std::string& name : filter.categories()) {
      auto category = match::ParseCategory(name);
      if (!category) {
        return absl::InvalidArgumentError(StrCat(
            "unknown category '", name, "'; known: ", KnownCategories()));
      }
      mask |= int64_t{1} << static_cast<int>(*category);
    }
    where->Add("(category_mask & $?) != 0", {SqlValue::Int(mask)});
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

// Page tokens: "s:<score>:<item_id>" or "t:<micros>:<item_id>", base64url.
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

absl::Status DecodePageToken(const std::string& token, v1::QueueOrder order,
                             Where* where) {
  std::string decoded;
  const absl::Status malformed = absl::InvalidArgumentError(
      "malformed page_token: pass next_page_token from the previous page "
      "with the same order");
  if (!absl::WebSafeBase64Unescape(token, &decoded)) return malformed;
  const char expected = order == v1::QUEUE_ORDER_TIME ? 't' : 's';
  if (decoded.size() < 5 || decoded[0] != expected || decoded[1] != ':') {
    return malformed;
  }
  const size_t colon = decoded.find(':', 2);
  if (colon == std::string::npos) return malformed;
  const std::string key = decoded.substr(2, colon - 2);
  const std::string id = decoded.substr(colon + 1);
  char* end = nullptr;
  errno = 0;
  const long long item_id = std::strtoll(id.c_str(), &end, 10);
  if (id.empty() || *end != '\0' || errno != 0) return malformed;
  if (order == v1::QUEUE_ORDER_TIME) {
    const long long micros = std::strtoll(key.c_str(), &end, 10);
    if (key.empty() || *end != '\0' || errno != 0) return malformed;
    where->Add(
        "last_flagged_at < $? OR (last_flagged_at = $? AND item_id < $?)",
        {SqlValue::Int(micros), SqlValue::Int(micros), SqlValue::Int(item_id)});
  } else {
    const double score = std::strtod(key.c_str(), &end);
    if (key.empty() || *end != '\0' || errno != 0) return malformed;
    where->Add(
        "max_score < $? OR (max_score = $? AND item_id < $?)",
        {SqlValue::Real(score), SqlValue::Real(score), SqlValue::Int(item_id)});
  }
  return absl::OkStatus();
}

std::string OrderBy(v1::QueueOrder order) {
  return order == v1::QUEUE_ORDER_TIME
             ? " ORDER BY last_flagged_at DESC, item_id DESC"
             : " ORDER BY max_score DESC, item_id DESC";
}

// Reads one item's row, locked for the transaction on PostgreSQL.
absl::StatusOr<SqlRow> LockItem(SqlConnection& db, int64_t item_id) {
  const std::string sql =
      StrCat("SELECT ", kItemColumns, " FROM items WHERE item_id = $1",
             db.dialect() == SqlDialect::kPostgres ? " FOR UPDATE" : "");
  SqlValue params[] = {SqlValue::Int(item_id)};
  auto rows = db.Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::NotFoundError(StrCat("no review item ", item_id));
  }
  return std::move((*rows)[0]);
}

struct EventFields {
  int64_t item_id = 0;
  v1::EventKind kind = v1::EVENT_KIND_UNSPECIFIED;
  std::string actor;
  int64_t at = 0;
  v1::ItemStatus status_after = v1::ITEM_STATUS_OPEN;
  v1::Decision decision = v1::DECISION_UNSPECIFIED;
  std::string text;
  std::string lexicon_version;
};

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
      e.text.empty() ? SqlValue::Null() : SqlValue::Text(e.text),
      e.lexicon_version.empty() ? SqlValue::Null()
                                : SqlValue::Text(e.lexicon_version)};
  auto rows = db.Query(
      "INSERT INTO events (item_id, kind, actor, at, status_after, decision, "
      "text, lexicon_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "RETURNING event_id",
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
  return event;
}

// Appends flag events (no decision, no text) with multi-row INSERTs of a
// few fixed sizes, so that a group commit writes its log in a handful of
// statements and the statement caches stay small.
absl::Status AppendFlagEvents(SqlConnection& db,
                              const std::vector<EventFields>& events) {
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
        params.push_back(e.lexicon_version.empty()
                             ? SqlValue::Null()
                             : SqlValue::Text(e.lexicon_version));
      }
      if (auto done = db.Query(sql, params); !done.ok()) {
        return done.status();
      }
      next += chunk;
    }
  }
  return absl::OkStatus();
}

v1::ReviewEvent EventFromRow(const SqlRow& row) {
  v1::ReviewEvent event;
  event.set_event_id(row[0].AsInt());
  event.set_item_id(row[1].AsInt());
  event.set_kind(ParseEventKindName(row[2].AsString())
                     .value_or(v1::EVENT_KIND_UNSPECIFIED));
  event.set_actor(row[3].AsString());
  SetTime(row[4].AsInt(), event.mutable_at());
  event.set_status_after(
      ParseStatusName(row[5].AsString()).value_or(v1::ITEM_STATUS_UNSPECIFIED));
  event.set_decision(
      ParseDecisionName(row[6].AsString()).value_or(v1::DECISION_UNSPECIFIED));
  event.set_text(row[7].AsString());
  event.set_lexicon_version(row[8].AsString());
  return event;
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

absl::Status SetClaim(SqlConnection& db, int64_t item_id,
                      const std::string& reviewer, int64_t lease_expires_at) {
  SqlValue params[] = {
      SqlValue::Int(item_id),
      reviewer.empty() ? SqlValue::Null() : SqlValue::Text(reviewer),
      reviewer.empty() ? SqlValue::Null() : SqlValue::Int(lease_expires_at)};
  return db
      .Query(
          "UPDATE items SET claimed_by = $2, lease_expires_at = $3 WHERE "
          "item_id = $1",
          params)
      .status();
}

absl::Status CheckReviewer(const std::string& reviewer) {
  if (reviewer.empty()) {
    return absl::InvalidArgumentError("the reviewer has no name");
  }
  return absl::OkStatus();
}

}  // namespace

SqlFlagStore::SqlFlagStore(Options options)
    : options_(std::move(options)),
      now_(options_.now ? options_.now : Clock(SystemMicros)),
      pool_(std::make_unique<Pool>(options_.connect,
                                   std::max(1, options_.pool_size))) {}

SqlFlagStore::~SqlFlagStore() {
  {
    std::lock_guard<std::mutex> lock(writers_mu_);
    stopping_ = true;
  }
  writers_cv_.notify_all();
  if (writer_.joinable()) writer_.join();  // after writing what is queued
}

absl::StatusOr<std::unique_ptr<SqlFlagStore>> SqlFlagStore::Open(
    Options options) {
  std::unique_ptr<SqlFlagStore> store(new SqlFlagStore(std::move(options)));
  auto connection = store->pool_->Acquire();
  if (!connection.ok()) return connection.status();
  store->dialect_ = (*connection)->dialect();
  auto migrated = Migrate(**connection, store->Now());
  if (!migrated.ok()) return migrated.status();
  store->pool_->Return(*std::move(connection));
  SqlFlagStore* raw = store.get();
  store->writer_ = std::thread([raw] { raw->WriterLoop(); });
  return store;
}

absl::Status SqlFlagStore::Transact(
    const std::function<absl::Status(SqlConnection&)>& body) {
  const char* begin =
      dialect_ == SqlDialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN";
  absl::Status status;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    auto connection = pool_->Acquire();
    if (!connection.ok()) return connection.status();
    SqlConnection& db = **connection;
    status = db.ExecScript(begin);
    if (status.ok()) status = body(db);
    if (status.ok()) status = db.ExecScript("COMMIT");
    if (!status.ok()) db.ExecScript("ROLLBACK").IgnoreError();
    pool_->Return(*std::move(connection));
    if (!absl::IsAborted(status)) break;
  }
  return status;
}

absl::Status SqlFlagStore::Read(
    const std::function<absl::Status(SqlConnection&)>& body) {
  auto connection = pool_->Acquire();
  if (!connection.ok()) return connection.status();
  absl::Status status = body(**connection);
  pool_->Return(*std::move(connection));
  return status;
}

absl::Status SqlFlagStore::RecordFlagged(std::span<const FlaggedPost> posts) {
  if (posts.empty()) return absl::OkStatus();
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  absl::Status result;
  RecordFlaggedAsync(std::vector<FlaggedPost>(posts.begin(), posts.end()),
                     [&](absl::Status status) {
                       std::lock_guard<std::mutex> lock(mu);
                       result = std::move(status);
                       finished = true;
                       cv.notify_all();
                     });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return finished; });
  return result;
}

void SqlFlagStore::RecordFlaggedAsync(std::vector<FlaggedPost> posts,
                                      Done done) {
  if (posts.empty()) {
    done(absl::OkStatus());
    return;
  }
  {
    std::lock_guard<std::mutex> lock(writers_mu_);
    if (!stopping_) {
      writers_.push_back({std::move(posts), std::move(done)});
      writers_cv_.notify_one();
      return;
    }
  }
  done(absl::UnavailableError("the store is closing"));
}

void SqlFlagStore::WriterLoop() {
  std::unique_lock<std::mutex> lock(writers_mu_);
  while (true) {
    writers_cv_.wait(lock, [this] { return stopping_ || !writers_.empty(); });
    if (writers_.empty()) return;  // stopping, and everything written
    // Everything queued, up to kMaxGroupPosts posts, in one transaction.
    std::vector<Writer> group;
    size_t group_posts = 0;
    while (!writers_.empty() &&
           (group.empty() ||
            group_posts + writers_.front().posts.size() <= kMaxGroupPosts)) {
      group_posts += writers_.front().posts.size();
      group.push_back(std::move(writers_.front()));
      writers_.pop_front();
    }
    lock.unlock();
    const absl::Status status = WriteGroup(group);
    for (Writer& w : group) w.done(status);
    lock.lock();
  }
}

absl::Status SqlFlagStore::WriteGroup(const std::vector<Writer>& group) {
  // Upserts in key order, so that two instances writing overlapping batches
  // to one PostgreSQL lock rows in the same order and cannot deadlock.
  std::vector<const FlaggedPost*> posts;
  for (const Writer& w : group) {
    for (const FlaggedPost& p : w.posts) posts.push_back(&p);
  }
  std::stable_sort(posts.begin(), posts.end(),
                   [](const FlaggedPost* a, const FlaggedPost* b) {
                     return std::tie(a->post.source(), a->post.id()) <
                            std::tie(b->post.source(), b->post.id());
                   });
  const int64_t now = Now();
  return Transact([&](SqlConnection& db) -> absl::Status {
    std::vector<EventFields> events;
    events.reserve(posts.size());
    for (const FlaggedPost* p : posts) {
      v1::Post stored = p->post;
      stored.clear_text();
      // Databases keep no NUL in text; a space keeps every offset.
      std::string text = p->post.text();
      std::replace(text.begin(), text.end(), '\0', ' ');
      SqlValue params[] = {SqlValue::Text(p->post.source()),
                           SqlValue::Text(p->post.id()),
                           SqlValue::Text(std::move(text)),
                           SqlValue::Bytes(stored.SerializeAsString()),
                           SqlValue::Bytes(p->verdict.SerializeAsString()),
                           SqlValue::Text(p->verdict.lexicon_version()),
                           SqlValue::Real(MaxScore(p->verdict)),
                           SqlValue::Int(CategoryMask(p->verdict)),
                           SqlValue::Int(now)};
      auto rows = db.Query(
          "INSERT INTO items (source, post_id, text, post, verdict, "
          "lexicon_version, max_score, category_mask, status, "
          "first_flagged_at, last_flagged_at, times_flagged) VALUES ($1, $2, "
          "$3, $4, $5, $6, $7, $8, 'open', $9, $9, 1) ON CONFLICT (source, "
          "post_id) DO UPDATE SET text = excluded.text, post = excluded.post, "
          "verdict = excluded.verdict, lexicon_version = "
          "excluded.lexicon_version, max_score = excluded.max_score, "
          "category_mask = excluded.category_mask, last_flagged_at = "
          "excluded.last_flagged_at, times_flagged = items.times_flagged + 1, "
          "text_erased_at = NULL RETURNING item_id, times_flagged, status, "
          "claimed_by, lease_expires_at",
          params);
      if (!rows.ok()) return rows.status();
      const SqlRow& row = (*rows)[0];
      ItemState state;
      state.status =
          ParseStatusName(row[2].AsString()).value_or(v1::ITEM_STATUS_OPEN);
      state.claimed_by = row[3].AsString();
      state.lease_expires_at = row[4].AsInt();
      EventFields& e = events.emplace_back();
      e.item_id = row[0].AsInt();
      e.kind = row[1].AsInt() == 1 ? v1::EVENT_KIND_FLAGGED
                                   : v1::EVENT_KIND_REFLAGGED;
      e.actor = "analyzer";
      e.at = now;
      e.status_after = EffectiveStatus(state, now);
      e.lexicon_version = p->verdict.lexicon_version();
    }
    return AppendFlagEvents(db, events);
  });
}

absl::StatusOr<v1::ListQueueResponse> SqlFlagStore::ListQueue(
    const v1::ListQueueRequest& request) {
  if (request.page_size() < 0) {
    return absl::InvalidArgumentError("page_size must not be negative");
  }
  const int page_size = request.page_size() == 0
                            ? kDefaultPageSize
                            : std::min(request.page_size(), kMaxPageSize);
  if (!v1::QueueOrder_IsValid(request.order())) {
    return absl::InvalidArgumentError("unknown queue order");
  }
  const int64_t now = Now();
  Where where;
  if (absl::Status s = AddFilter(request.filter(), now, {}, &where); !s.ok()) {
    return s;
  }
  if (!request.page_token().empty()) {
    if (absl::Status s =
            DecodePageToken(request.page_token(), request.order(), &where);
        !s.ok()) {
      return s;
    }
  }
  where.params().push_back(SqlValue::Int(page_size + 1));
  const std::string sql =
      StrCat("SELECT ", kItemColumns, " FROM items", where.sql(),
             OrderBy(request.order()), " LIMIT $", where.params().size());
  v1::ListQueueResponse response;
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    auto rows = db.Query(sql, where.params());
    if (!rows.ok()) return rows.status();
    for (size_t i = 0; i < rows->size() && static_cast<int>(i) < page_size;
         ++i) {
      *response.add_items() = ItemFromRow((*rows)[i], now);
    }
    if (static_cast<int>(rows->size()) > page_size) {
      response.set_next_page_token(EncodePageToken(
          request.order(), response.items(response.items_size() - 1)));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::ReviewItem> SqlFlagStore::GetItem(int64_t item_id) {
  const int64_t now = Now();
  v1::ReviewItem item;
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    SqlValue params[] = {SqlValue::Int(item_id)};
    auto rows = db.Query(
        StrCat("SELECT ", kItemColumns, " FROM items WHERE item_id = $1"),
        params);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) {
      return absl::NotFoundError(StrCat("no review item ", item_id));
    }
    item = ItemFromRow((*rows)[0], now);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return item;
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
  const int64_t now = Now();
  // Claiming the next item: the best open one no one holds. PostgreSQL skips
  // rows other instances are claiming at this moment.
  std::string next_sql;
  Where where;
  if (request.item_id() == 0) {
    static constexpr v1::ItemStatus kOpen[] = {v1::ITEM_STATUS_OPEN};
    for (int status : request.filter().statuses()) {
      if (status != v1::ITEM_STATUS_OPEN &&
          status != v1::ITEM_STATUS_ESCALATED) {
        return absl::InvalidArgumentError(
            "only open or escalated items can be claimed");
      }
    }
    if (absl::Status s = AddFilter(request.filter(), now, kOpen, &where);
        !s.ok()) {
      return s;
    }
    next_sql = StrCat(
        "SELECT ", kItemColumns, " FROM items", where.sql(),
        OrderBy(v1::QUEUE_ORDER_SCORE), " LIMIT 1",
        dialect_ == SqlDialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "");
  }
  v1::ReviewItem claimed;
  absl::Status status = Transact([&](SqlConnection& db) -> absl::Status {
    SqlRow row;
    if (request.item_id() == 0) {
      auto rows = db.Query(next_sql, where.params());
      if (!rows.ok()) return rows.status();
      if (rows->empty()) {
        return absl::NotFoundError("no open item matches the filter");
      }
      row = std::move((*rows)[0]);
    } else {
      auto locked = LockItem(db, request.item_id());
      if (!locked.ok()) return locked.status();
      row = *std::move(locked);
    }
    const int64_t item_id = row[0].AsInt();
    const ItemState state = StateOf(row);
    if (absl::Status s = CheckClaim(state, reviewer, now); !s.ok()) return s;
    if (state.claimed_by != reviewer) {
      if (absl::Status s = NoteExpiredLease(db, item_id, state, now); !s.ok()) {
        return s;
      }
    }
    if (absl::Status s = SetClaim(db, item_id, reviewer, now + lease_micros);
        !s.ok()) {
      return s;
    }
    EventFields e;
    e.item_id = item_id;
    e.kind = v1::EVENT_KIND_CLAIMED;
    e.actor = reviewer;
    e.at = now;
    e.status_after = v1::ITEM_STATUS_CLAIMED;
    if (auto event = AppendEvent(db, e); !event.ok()) return event.status();
    auto updated = LockItem(db, item_id);
    if (!updated.ok()) return updated.status();
    claimed = ItemFromRow(*updated, now);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return claimed;
}

absl::StatusOr<v1::ReviewItem> SqlFlagStore::Release(
    int64_t item_id, const std::string& reviewer) {
  if (absl::Status s = CheckReviewer(reviewer); !s.ok()) return s;
  const int64_t now = Now();
  v1::ReviewItem released;
  absl::Status status = Transact([&](SqlConnection& db) -> absl::Status {
    auto row = LockItem(db, item_id);
    if (!row.ok()) return row.status();
    const ItemState state = StateOf(*row);
    if (absl::Status s = CheckHolds(state, reviewer, now); !s.ok()) return s;
    if (absl::Status s = SetClaim(db, item_id, "", 0); !s.ok()) return s;
    EventFields e;
    e.item_id = item_id;
    e.kind = v1::EVENT_KIND_RELEASED;
    e.actor = reviewer;
    e.at = now;
    e.status_after = state.status;
    if (auto event = AppendEvent(db, e); !event.ok()) return event.status();
    auto updated = LockItem(db, item_id);
    if (!updated.ok()) return updated.status();
    released = ItemFromRow(*updated, now);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return released;
}

absl::StatusOr<v1::ReviewItem> SqlFlagStore::Decide(
    const v1::DecideRequest& request, const std::string& reviewer,
    const std::string& lexicon_version) {
  if (absl::Status s = CheckReviewer(reviewer); !s.ok()) return s;
  v1::ItemStatus after = v1::ITEM_STATUS_UNSPECIFIED;
  if (absl::Status s = StatusAfterDecision(request.decision(), &after);
      !s.ok()) {
    return s;
  }
  if (request.reason().size() > kMaxReasonBytes) {
    return absl::InvalidArgumentError(
        StrCat("reason is longer than ", kMaxReasonBytes, " bytes"));
  }
  const int64_t now = Now();
  v1::ReviewItem decided;
  absl::Status status = Transact([&](SqlConnection& db) -> absl::Status {
    auto row = LockItem(db, request.item_id());
    if (!row.ok()) return row.status();
    if (absl::Status s = CheckHolds(StateOf(*row), reviewer, now); !s.ok()) {
      return s;
    }
    SqlValue params[] = {
        SqlValue::Int(request.item_id()),
        SqlValue::Text(std::string(StatusName(after))),
        SqlValue::Text(std::string(DecisionName(request.decision()))),
        SqlValue::Text(reviewer),
        SqlValue::Text(request.reason()),
        SqlValue::Int(now)};
    if (auto done =
            db.Query("UPDATE items SET status = $2, claimed_by = NULL, "
                     "lease_expires_at = NULL, decision = $3, decided_by = $4, "
                     "decision_reason = $5, decided_at = $6, "
                     "decided_verdict = verdict WHERE item_id = $1",
                     params);
        !done.ok()) {
      return done.status();
    }
    EventFields e;
    e.item_id = request.item_id();
    e.kind = v1::EVENT_KIND_DECIDED;
    e.actor = reviewer;
    e.at = now;
    e.status_after = after;
    e.decision = request.decision();
    e.text = request.reason();
    e.lexicon_version = lexicon_version;
    if (auto event = AppendEvent(db, e); !event.ok()) return event.status();
    auto updated = LockItem(db, request.item_id());
    if (!updated.ok()) return updated.status();
    decided = ItemFromRow(*updated, now);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return decided;
}

absl::StatusOr<v1::ReviewItem> SqlFlagStore::Reopen(
    const v1::ReopenRequest& request, const std::string& reviewer) {
  if (absl::Status s = CheckReviewer(reviewer); !s.ok()) return s;
  if (request.reason().size() > kMaxReasonBytes) {
    return absl::InvalidArgumentError(
        StrCat("reason is longer than ", kMaxReasonBytes, " bytes"));
  }
  const int64_t now = Now();
  v1::ReviewItem reopened;
  absl::Status status = Transact([&](SqlConnection& db) -> absl::Status {
    auto row = LockItem(db, request.item_id());
    if (!row.ok()) return row.status();
    const ItemState state = StateOf(*row);
    if (absl::Status s = CheckReopen(state, now); !s.ok()) return s;
    if (absl::Status s = NoteExpiredLease(db, request.item_id(), state, now);
        !s.ok()) {
      return s;
    }
    SqlValue params[] = {SqlValue::Int(request.item_id())};
    if (auto done =
            db.Query("UPDATE items SET status = 'open', claimed_by = NULL, "
                     "lease_expires_at = NULL WHERE item_id = $1",
                     params);
        !done.ok()) {
      return done.status();
    }
    EventFields e;
    e.item_id = request.item_id();
    e.kind = v1::EVENT_KIND_REOPENED;
    e.actor = reviewer;
    e.at = now;
    e.status_after = v1::ITEM_STATUS_OPEN;
    e.text = request.reason();
    if (auto event = AppendEvent(db, e); !event.ok()) return event.status();
    auto updated = LockItem(db, request.item_id());
    if (!updated.ok()) return updated.status();
    reopened = ItemFromRow(*updated, now);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return reopened;
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

absl::StatusOr<v1::GetHistoryResponse> SqlFlagStore::GetHistory(
    int64_t item_id) {
  v1::GetHistoryResponse response;
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    SqlValue params[] = {SqlValue::Int(item_id)};
    auto exists =
        db.Query("SELECT item_id FROM items WHERE item_id = $1", params);
    if (!exists.ok()) return exists.status();
    if (exists->empty()) {
      return absl::NotFoundError(StrCat("no review item ", item_id));
    }
    auto rows = db.Query(
        "SELECT event_id, item_id, kind, actor, at, status_after, decision, "
        "text, lexicon_version FROM events WHERE item_id = $1 ORDER BY "
        "event_id",
        params);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) *response.add_events() = EventFromRow(row);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<int64_t> SqlFlagStore::EraseTextBefore(int64_t cutoff_micros) {
  const int64_t now = Now();
  int64_t erased = 0;
  // In batches, each its own short transaction, so that a first run over
  // a large store does not hold the write lock for long.
  while (true) {
    int64_t batch = 0;
    absl::Status status = Transact([&](SqlConnection& db) -> absl::Status {
      SqlValue params[] = {SqlValue::Int(cutoff_micros), SqlValue::Int(now),
                           SqlValue::Int(kEraseBatch)};
      auto rows = db.Query(
          "UPDATE items SET text = NULL, post = NULL, text_erased_at = $2 "
          "WHERE item_id IN (SELECT item_id FROM items WHERE last_flagged_at "
          "< $1 AND text_erased_at IS NULL LIMIT $3) RETURNING item_id",
          params);
      if (!rows.ok()) return rows.status();
      batch = static_cast<int64_t>(rows->size());
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    erased += batch;
    if (batch < kEraseBatch) return erased;
  }
}

}  // namespace vigil::service
