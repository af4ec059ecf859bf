// SnapshotHolder: the Analyzer snapshot that requests use, swapped whole on
// reload.
//
// Requests take a std::shared_ptr<const Analyzer> with Get() and keep it for
// the whole request, so a reload never changes the lexicon under a request
// in flight; the old snapshot is freed when its last request finishes.
//
// Thread safety: all methods may be called from any thread.
#ifndef VIGIL_SERVICE_SNAPSHOT_H_
#define VIGIL_SERVICE_SNAPSHOT_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "analyzers/analyzer.h"

namespace vigil::service {

class SnapshotHolder {
 public:
  struct Snapshot {
    std::shared_ptr<const Analyzer> analyzer;
    std::string directory;
    std::chrono::system_clock::time_point loaded_at;
  };

  explicit SnapshotHolder(Snapshot initial)
      : current_(std::make_shared<const Snapshot>(std::move(initial))) {}

  std::shared_ptr<const Snapshot> Get() const {
    // A mutex, not std::atomic<std::shared_ptr>: GCC 12's implementation
    // races under TSan (its load unlocks with relaxed ordering). The lock
    // only guards a pointer copy.
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }

  // Loads `directory` (the current one when empty) and swaps it in. On
  // failure nothing changes and the status names file:line.
  absl::Status Reload(const std::string& directory) {
    std::lock_guard<std::mutex> reload_lock(reload_mu_);  // one at a time
    const std::string dir = directory.empty() ? Get()->directory : directory;
    auto analyzer = Analyzer::Load(dir);
    if (!analyzer.ok()) return analyzer.status();
    auto next = std::make_shared<const Snapshot>(
        Snapshot{*std::move(analyzer), dir, std::chrono::system_clock::now()});
    {
      std::lock_guard<std::mutex> lock(mu_);
      current_.swap(next);
    }
    // `next` now holds the old snapshot: it is freed here, outside the lock,
    // unless requests in flight still hold it.
    return absl::OkStatus();
  }

 private:
  mutable std::mutex mu_;  // guards current_
  std::shared_ptr<const Snapshot> current_;
  std::mutex reload_mu_;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_SNAPSHOT_H_
