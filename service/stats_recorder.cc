#include "service/stats_recorder.h"

#include <set>

namespace vigil::service {

void StatsRecorder::Record(std::string_view source,
                           std::chrono::system_clock::time_point at,
                           const v1::Verdict& verdict) {
  const int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch())
          .count();
  const int64_t minute = seconds / 60 * 60;
  size_t cut = std::min(source.size(), kMaxSourceBytes);
  while (cut > 0 && cut < source.size() &&
         (static_cast<unsigned char>(source[cut]) & 0xC0) == 0x80) {
    --cut;  // not inside a UTF-8 sequence
  }
  std::string src(source.substr(0, cut));
  absl::MutexLock lock(&mu_);
  if (!sources_.count(src)) {
    if (sources_.size() >= kMaxSources) {
      src = kOtherSource;
    }
    sources_.insert(src);
  }
  ++pending_.counts[{minute, src, StatsDelta::kMetricAnalyzed, ""}];
  if (!verdict.flagged()) return;
  ++pending_.counts[{minute, src, StatsDelta::kMetricFlagged, ""}];
  for (const std::string& category : verdict.flagged_categories()) {
    ++pending_.counts[{minute, src, StatsDelta::kMetricFlag, category}];
  }
  for (const v1::Hit& hit : verdict.hits()) {
    ++pending_.terms[{minute, src, hit.category(), hit.term()}];
  }
}

absl::Status StatsRecorder::Flush(FlagStore& store) {
  StatsDelta batch;
  {
    absl::MutexLock lock(&mu_);
    std::swap(batch, pending_);
    sources_.clear();
  }
  if (batch.empty()) return absl::OkStatus();
  absl::Status status = store.AddStats(batch);
  if (absl::IsUnavailable(status) || absl::IsAborted(status)) {
    absl::MutexLock lock(&mu_);
    pending_.Merge(batch);
    for (const auto& [key, n] : batch.counts) sources_.insert(std::get<1>(key));
  }
  return status;
}

}  // namespace vigil::service
