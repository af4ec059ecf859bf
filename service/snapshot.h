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

#include <malloc.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "analyzers/analyzer.h"

namespace vigil::service {

// Gives the memory freed after loading a snapshot (the parsed files, the
// builders' scratch: some 12 MiB for the shipped lexicons) back to the
// system, so that the server's RSS is what it keeps (glibc's malloc_trim).
inline void ReturnFreedMemory() { malloc_trim(0); }

class SnapshotHolder {
 public:
  struct Snapshot {
    std::shared_ptr<const Analyzer> analyzer;
    std::string directory;
    std::chrono::system_clock::time_point loaded_at;
  };

  explicit SnapshotHolder(Snapshot initial)
      : current_(std::make_shared<const Snapshot>(std::move(initial))) {}

  std::shared_ptr<const Snapshot> Get() const ABSL_LOCKS_EXCLUDED(mu_) {
    // A mutex, not std::atomic<std::shared_ptr>: GCC 12's implementation
    // races under TSan (its load unlocks with relaxed ordering). The lock
    // only guards a pointer copy.
    absl::MutexLock lock(&mu_);
    return current_;
  }

  // Loads `directory` (the current one when empty) and swaps it in. On
  // failure nothing changes and the status names file:line.
  absl::Status Reload(const std::string& directory)
      ABSL_LOCKS_EXCLUDED(reload_mu_, mu_) {
    absl::MutexLock reload_lock(&reload_mu_);
    const std::string dir = directory.empty() ? Get()->directory : directory;
    auto analyzer = Analyzer::Load(dir);
    if (!analyzer.ok()) return analyzer.status();
    auto next = std::make_shared<const Snapshot>(
        Snapshot{*std::move(analyzer), dir, std::chrono::system_clock::now()});
    {
      absl::MutexLock lock(&mu_);
      current_.swap(next);
    }
    // `next` now holds the old snapshot: it is freed here, outside the lock,
    // unless requests in flight still hold it.
    next.reset();
    ReturnFreedMemory();
    return absl::OkStatus();
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const Snapshot> current_ ABSL_GUARDED_BY(mu_);
  absl::Mutex reload_mu_;  // one reload at a time
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_SNAPSHOT_H_
