// StatsRecorder: counts analyzed and flagged posts per minute, source and
// category, and term hits of flagged posts, in memory; Flush() adds them to
// the store (see stats.proto). The server flushes every few seconds and at
// shutdown, so no unflagged post is ever stored and the store sees one
// small write per interval, not one per post.
//
//   StatsRecorder stats;
//   stats.Record(post.source(), now, verdict);   // per analyzed post
//   stats.Flush(store);                          // periodically
//
// Thread safety: Record and Flush may be called from any thread.
#ifndef VIGIL_SERVICE_STATS_RECORDER_H_
#define VIGIL_SERVICE_STATS_RECORDER_H_

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "service/store/flag_store.h"
#include "vigil/v1/analysis.pb.h"

namespace vigil::service {

class StatsRecorder {
 public:
  // Sources longer than this are cut (they are free-form client strings).
  static constexpr size_t kMaxSourceBytes = 128;

  // Counts one analyzed post with its verdict at time `at`.
  void Record(std::string_view source, std::chrono::system_clock::time_point at,
              const v1::Verdict& verdict);

  // Adds the counts so far to `store`. On failure they are kept for the
  // next flush (nothing is lost while the store is down).
  absl::Status Flush(FlagStore& store);

 private:
  std::mutex mu_;
  StatsDelta pending_;  // guarded by mu_
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STATS_RECORDER_H_
