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
#include <set>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "service/store/flag_store.h"
#include "vigil/v1/analysis.pb.h"

namespace vigil::service {

class StatsRecorder {
 public:
  // Sources longer than this are cut, on a character boundary (they are
  // free-form client strings).
  static constexpr size_t kMaxSourceBytes = 128;
  // Distinct sources kept between flushes; posts from further sources count
  // under kOtherSource, so a client inventing sources cannot grow memory
  // or the statistics tables without bound.
  static constexpr size_t kMaxSources = 1000;
  static constexpr char kOtherSource[] = "(other)";

  // Counts one analyzed post with its verdict at time `at`.
  void Record(std::string_view source, std::chrono::system_clock::time_point at,
              const v1::Verdict& verdict);

  // Adds the counts so far to `store`. When the store is unavailable they
  // are kept for the next flush (nothing is lost while it is down); other
  // errors drop them (retrying could not help) and are returned.
  absl::Status Flush(FlagStore& store);

 private:
  absl::Mutex mu_;
  StatsDelta pending_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> sources_ ABSL_GUARDED_BY(mu_);  // sources in pending_
};

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STATS_RECORDER_H_
