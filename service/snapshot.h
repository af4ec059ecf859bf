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
      : current_(Share(std::move(initial))) {}

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
    auto next = Share(
        Snapshot{*std::move(analyzer), dir, std::chrono::system_clock::now()});
    {
      absl::MutexLock lock(&mu_);
      current_.swap(next);
    }
    // `next` now holds the old snapshot: it is freed here, outside the lock,
    // or by the last request in flight that holds it.
    next.reset();
    return absl::OkStatus();
  }

 private:
  // A snapshot whose memory goes back to the system when its last holder
  // lets go. Under load that is a request in flight, not Reload(), so
  // trimming in Reload() ran before the old snapshot was freed and left its
  // pages in malloc's free lists.
  static std::shared_ptr<const Snapshot> Share(Snapshot snapshot) {
    return std::shared_ptr<const Snapshot>(
        new Snapshot(std::move(snapshot)), [](const Snapshot* old) {
          const bool last_analyzer_holder = old->analyzer.use_count() == 1;
          delete old;
          if (last_analyzer_holder) ReturnFreedMemory();
        });
  }

  mutable absl::Mutex mu_;
  std::shared_ptr<const Snapshot> current_ ABSL_GUARDED_BY(mu_);
  absl::Mutex reload_mu_;  // one reload at a time
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_SNAPSHOT_H_
