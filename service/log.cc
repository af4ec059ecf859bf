#include "service/log.h"

#include <atomic>
#include <chrono>
#include <ctime>
#include <iostream>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace vigil::service {
namespace {

absl::Mutex sink_mu(absl::kConstInit);
std::ostream* sink ABSL_GUARDED_BY(sink_mu) = &std::cerr;
std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};

constexpr std::string_view kLevelNames[] = {"debug", "info", "warning",
                                            "error"};

}  // namespace

void SetLogSink(std::ostream* s) {
  absl::MutexLock lock(&sink_mu);
  sink = s;
}

void SetLogLevel(LogLevel level) { min_level = static_cast<int>(level); }

bool ParseLogLevel(std::string_view name, LogLevel* level) {
  for (int i = 0; i < 4; ++i) {
    if (kLevelNames[i] == name) {
      *level = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

void Log(LogLevel level, std::string_view event, std::string_view fields) {
  if (static_cast<int>(level) < min_level) return;
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const int millis =
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                           now.time_since_epoch())
                           .count() %
                       1000);
  std::tm utc;
  gmtime_r(&seconds, &utc);
  char when[40];
  const size_t n = std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(when + n, sizeof(when) - n, ".%03dZ", millis);
  std::string line(when);
  line.append(" ").append(kLevelNames[static_cast<int>(level)]);
  line.append(" event=").append(event);
  if (!fields.empty()) line.append(" ").append(fields);
  line.append("\n");
  absl::MutexLock lock(&sink_mu);
  *sink << line << std::flush;
}

std::string Quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace vigil::service
