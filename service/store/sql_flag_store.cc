#include "service/store/sql_flag_store.h"

#include <algorithm>
#include <chrono>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzers/match/category.h"
#include "analyzers/util/strings.h"
#include "service/store/clusters.h"
#include "service/store/event_log.h"
#include "service/store/item_row.h"
#include "service/store/queue_query.h"
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
// Posts committed per group commit at most.
constexpr size_t kMaxGroupPosts = 4096;
// Items erased per retention transaction.
constexpr int64_t kEraseBatch = 1000;

int64_t SystemMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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

namespace {

// The nine values every stored post sets, in the order of the INSERTs'
// column lists (source ... first and last flagged at).
std::vector<SqlValue> ItemParams(const FlaggedPost& p, int64_t now) {
  v1::Post stored = p.post;
  stored.clear_text();
  // Databases keep no NUL in text; a space keeps every offset.
  std::string text = p.post.text();
  std::replace(text.begin(), text.end(), '\0', ' ');
  return {SqlValue::Text(p.post.source()),
          SqlValue::Text(p.post.id()),
          SqlValue::Text(std::move(text)),
          SqlValue::Bytes(stored.SerializeAsString()),
          SqlValue::Bytes(p.verdict.SerializeAsString()),
          SqlValue::Text(p.verdict.lexicon_version()),
          SqlValue::Real(MaxScore(p.verdict)),
          SqlValue::Int(CategoryMask(p.verdict)),
          SqlValue::Int(now)};
}

// A quality sample: a new item in the sample queue, or nothing when the
// post is already stored (a re-send is not sampled twice, and a flagged item
// stays flagged).
absl::Status InsertSample(SqlConnection& db, const FlaggedPost& p, int64_t now,
                          std::vector<EventFields>* events) {
  auto sampled = db.Query(
      "INSERT INTO items (source, post_id, text, post, verdict, "
      "lexicon_version, max_score, category_mask, status, "
      "first_flagged_at, last_flagged_at, times_flagged, queue) VALUES "
      "($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $9, 1, 'sample') ON "
      "CONFLICT (source, post_id) DO NOTHING RETURNING item_id",
      ItemParams(p, now));
  if (!sampled.ok()) return sampled.status();
  if (sampled->empty()) return absl::OkStatus();
  EventFields& e = events->emplace_back();
  e.item_id = (*sampled)[0][0].AsInt();
  e.kind = v1::EVENT_KIND_SAMPLED;
  e.actor = "sampler";
  e.at = now;
  e.status_after = v1::ITEM_STATUS_OPEN;
  e.lexicon_version = p.verdict.lexicon_version();
  return absl::OkStatus();
}

// Upserts `posts` (flagged, in key order, no key twice: one statement
// cannot update a row twice) in statements of up to 64 rows, and appends
// each post's FLAGGED or REFLAGGED event in their order. A new item with a
// fingerprint goes to `placer`. Statements of 64, 8 and 1 rows keep the
// prepared statements few, as AppendFlagEvents does.
absl::Status UpsertFlagged(SqlConnection& db,
                           std::span<const FlaggedPost* const> posts,
                           int64_t now, std::vector<EventFields>* events,
                           ClusterPlacer* placer) {
  static constexpr size_t kChunks[] = {64, 8, 1};
  size_t next = 0;
  for (size_t chunk : kChunks) {
    while (posts.size() - next >= chunk) {
      const auto rows_posts = posts.subspan(next, chunk);
      next += chunk;
      std::string sql =
          "INSERT INTO items (source, post_id, text, post, verdict, "
          "lexicon_version, max_score, category_mask, status, "
          "first_flagged_at, last_flagged_at, times_flagged, fingerprint) "
          "VALUES ";
      std::vector<SqlValue> params;
      params.reserve(chunk * 10);
      for (size_t r = 0; r < chunk; ++r) {
        const FlaggedPost& p = *rows_posts[r];
        const size_t b = params.size();
        absl::StrAppend(&sql, r == 0 ? "" : ", ", "($", b + 1, ", $", b + 2,
                        ", $", b + 3, ", $", b + 4, ", $", b + 5, ", $", b + 6,
                        ", $", b + 7, ", $", b + 8, ", 'open', $", b + 9, ", $",
                        b + 9, ", 1, $", b + 10, ")");
        for (SqlValue& v : ItemParams(p, now)) params.push_back(std::move(v));
        // The fingerprint is the first flag's: a re-flag keeps the item's
        // cluster.
        params.push_back(p.fingerprint.has_value()
                             ? SqlValue::Bytes(p.fingerprint->Serialize())
                             : SqlValue::Null());
      }
      sql +=
          " ON CONFLICT (source, post_id) DO UPDATE SET text = excluded.text, "
          "post = excluded.post, verdict = excluded.verdict, lexicon_version = "
          "excluded.lexicon_version, max_score = excluded.max_score, "
          "category_mask = excluded.category_mask, last_flagged_at = "
          "excluded.last_flagged_at, times_flagged = items.times_flagged + 1, "
          "text_erased_at = NULL RETURNING item_id, times_flagged, status, "
          "claimed_by, lease_expires_at, source, post_id";
      auto rows = db.Query(sql, params);
      if (!rows.ok()) return rows.status();
      // The RETURNING list's columns.
      enum {
        kItemId,
        kTimesFlagged,
        kStatus,
        kClaimedBy,
        kLeaseExpiresAt,
        kSource,
        kPostId
      };
      if (rows->size() != chunk) {
        return absl::InternalError(absl::StrCat(
            "upsert of ", chunk, " items returned ", rows->size(), " rows"));
      }
      // RETURNING's order is not promised to be the VALUES' order: rows are
      // matched to posts by key (both in byte order then).
      std::vector<const SqlRow*> by_key;
      for (const SqlRow& row : *rows) by_key.push_back(&row);
      std::sort(by_key.begin(), by_key.end(),
                [](const SqlRow* a, const SqlRow* b) {
                  return std::forward_as_tuple((*a)[kSource].AsString(),
                                               (*a)[kPostId].AsString()) <
                         std::forward_as_tuple((*b)[kSource].AsString(),
                                               (*b)[kPostId].AsString());
                });
      for (size_t r = 0; r < chunk; ++r) {
        const FlaggedPost& p = *rows_posts[r];
        const SqlRow& row = *by_key[r];
        if (row[kSource].AsString() != p.post.source() ||
            row[kPostId].AsString() != p.post.id()) {
          return absl::InternalError("upsert returned another item's key");
        }
        ItemState state;
        state.status = ParseStatusName(row[kStatus].AsString())
                           .value_or(v1::ITEM_STATUS_OPEN);
        state.claimed_by = row[kClaimedBy].AsString();
        state.lease_expires_at = row[kLeaseExpiresAt].AsInt();
        EventFields& e = events->emplace_back();
        e.item_id = row[kItemId].AsInt();
        e.kind = row[kTimesFlagged].AsInt() == 1 ? v1::EVENT_KIND_FLAGGED
                                                 : v1::EVENT_KIND_REFLAGGED;
        e.actor = "analyzer";
        e.at = now;
        e.status_after = EffectiveStatus(state, now);
        e.lexicon_version = p.verdict.lexicon_version();
        if (e.kind == v1::EVENT_KIND_FLAGGED && p.fingerprint.has_value()) {
          NewClusterItem item;
          item.item_id = e.item_id;
          item.fingerprint = *p.fingerprint;
          item.category_mask = CategoryMask(p.verdict);
          placer->Add(std::move(item));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

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
  const bool clustering =
      std::any_of(posts.begin(), posts.end(), [](const FlaggedPost* p) {
        return !p->sampled && p->fingerprint.has_value();
      });
  return Transact([&](SqlConnection& db) -> absl::Status {
    if (clustering) {
      if (absl::Status s = LockClusterAssignment(db); !s.ok()) return s;
    }
    std::vector<EventFields> events;
    events.reserve(posts.size());
    ClusterPlacer placer(db, options_.cluster_threshold, now);
    // Runs of flagged posts with distinct keys are upserted together (the
    // posts are in key order, so a repeated key is next to its first);
    // quality samples one by one. Events keep the posts' order.
    for (size_t i = 0; i < posts.size();) {
      const FlaggedPost* p = posts[i];
      if (p->sampled) {
        if (absl::Status s = InsertSample(db, *p, now, &events); !s.ok()) {
          return s;
        }
        ++i;
        continue;
      }
      size_t j = i + 1;
      while (
          j < posts.size() && !posts[j]->sampled &&
          std::tie(posts[j]->post.source(), posts[j]->post.id()) !=
              std::tie(posts[j - 1]->post.source(), posts[j - 1]->post.id())) {
        ++j;
      }
      if (absl::Status s = UpsertFlagged(
              db, std::span<const FlaggedPost* const>(posts).subspan(i, j - i),
              now, &events, &placer);
          !s.ok()) {
        return s;
      }
      i = j;
    }
    if (absl::Status s = placer.Finish(); !s.ok()) return s;
    return AppendFlagEvents(db, events);
  });
}

absl::StatusOr<v1::ListQueueResponse> SqlFlagStore::ListQueue(
    const v1::ListQueueRequest& request) {
  const int64_t now = Now();
  auto query = BuildQueueQuery(request, now);
  if (!query.ok()) return query.status();
  const int page_size = query->page_size;
  v1::ListQueueResponse response;
  absl::Status status = Read([&](SqlConnection& db) -> absl::Status {
    auto rows = db.Query(query->statement.sql, query->statement.params);
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
        StrCat("SELECT ", ItemColumnList(), " FROM items WHERE item_id = $1"),
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
    return ReadEvents(db, item_id, response.mutable_events());
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
