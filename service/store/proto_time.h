// Conversions between google.protobuf.Timestamp and the store's integer
// times (microseconds since the Unix epoch).
#ifndef VIGIL_SERVICE_STORE_PROTO_TIME_H_
#define VIGIL_SERVICE_STORE_PROTO_TIME_H_

#include <google/protobuf/timestamp.pb.h>

#include <cstdint>

namespace vigil::service {

inline constexpr int64_t kMicrosPerSecond = 1000000;

inline void SetTime(int64_t micros, google::protobuf::Timestamp* ts) {
  ts->set_seconds(micros / kMicrosPerSecond);
  ts->set_nanos(static_cast<int32_t>(micros % kMicrosPerSecond) * 1000);
}

// True for timestamps from year 1 to 9999 (protobuf's valid range), whose
// microseconds fit in an int64.
inline bool ValidTimestamp(const google::protobuf::Timestamp& ts) {
  return ts.seconds() >= -62135596800 && ts.seconds() <= 253402300799 &&
         ts.nanos() >= 0 && ts.nanos() <= 999999999;
}

inline int64_t Micros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * kMicrosPerSecond + ts.nanos() / 1000;
}

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_STORE_PROTO_TIME_H_
