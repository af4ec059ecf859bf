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

#include <atomic>
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

  std::shared_ptr<const Snapshot> Get() const { return current_.load(); }

  // Loads `directory` (the current one when empty) and swaps it in. On
  // failure nothing changes and the status names file:line.
  absl::Status Reload(const std::string& directory) {
    std::lock_guard<std::mutex> lock(reload_mu_);  // one reload at a time
    const std::string dir =
        directory.empty() ? current_.load()->directory : directory;
    auto analyzer = Analyzer::Load(dir);
    if (!analyzer.ok()) return analyzer.status();
    current_.store(std::make_shared<const Snapshot>(
        Snapshot{*std::move(analyzer), dir, std::chrono::system_clock::now()}));
    return absl::OkStatus();
  }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::mutex reload_mu_;
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_SNAPSHOT_H_
