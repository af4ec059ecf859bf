// FlagStore: where the service keeps the posts it flags, for review.
//
// This is the write side the analysis service needs; the review store issue
// extends the interface (queue, claims, decisions, history) and adds the
// SQLite and PostgreSQL implementations. InMemoryFlagStore keeps items in
// process memory (lost on restart): the embedded default until then.
//
// Thread safety: implementations must be safe to call from any thread.
#ifndef VIGIL_SERVICE_STORE_FLAG_STORE_H_
#define VIGIL_SERVICE_STORE_FLAG_STORE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "vigil/v1/analysis.pb.h"

namespace vigil::service {

// A post the analyzers flagged, with everything needed to review it.
struct FlaggedPost {
  v1::Post post;
  v1::Verdict verdict;  // scores, hits with spans, lexicon version
};

class FlagStore {
 public:
  virtual ~FlagStore() = default;

  // Stores `posts` (one request's flagged posts) all or nothing, durably
  // before returning OK. A post whose (source, id) is already stored is the
  // same item flagged again, not a new one. An error means nothing was
  // stored, and the caller must not acknowledge the posts.
  virtual absl::Status RecordFlagged(std::span<const FlaggedPost> posts) = 0;
};

class InMemoryFlagStore final : public FlagStore {
 public:
  struct Item {
    FlaggedPost latest;
    int times_flagged = 0;
  };

  absl::Status RecordFlagged(std::span<const FlaggedPost> posts) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const FlaggedPost& p : posts) {
      Item& item = items_[{p.post.source(), p.post.id()}];
      item.latest = p;
      ++item.times_flagged;
    }
    return absl::OkStatus();
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }

  std::optional<Item> Get(const std::string& source,
                          const std::string& id) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = items_.find({source, id});
    if (it == items_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Item> items_;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_FLAG_STORE_H_
