// Structured logs: one line per event, "time level event key=value ...".
// Post text never goes into a log line at any level; log callers pass ids,
// counts and codes only.
//
// Thread safety: Log() may be called from any thread; lines never
// interleave. SetLogSink/SetLogLevel are for start-up (and tests).
#ifndef VIGIL_SERVICE_LOG_H_
#define VIGIL_SERVICE_LOG_H_

#include <iosfwd>
#include <string>
#include <string_view>

namespace vigil::service {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Where lines go (default std::cerr) and the lowest level written (default
// kInfo).
void SetLogSink(std::ostream* sink);
void SetLogLevel(LogLevel level);
// "debug", "info", "warning", "error"; false for anything else.
bool ParseLogLevel(std::string_view name, LogLevel* level);

// Writes one line if `level` is enabled. `fields` is "key=value ...",
// already formatted (quote values with spaces with Quote()).
void Log(LogLevel level, std::string_view event, std::string_view fields);

// `value` in double quotes, with '"' and '\' escaped and control characters
// dropped, for log fields.
std::string Quote(std::string_view value);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_LOG_H_
