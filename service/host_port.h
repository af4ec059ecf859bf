// Listen and target addresses as the flags and the config spell them:
// HOST:PORT, with an IPv6 host in brackets ("[::1]:50051").
//
// Example:
//   absl::StatusOr<HostPort> a = ParseHostPort("[::1]:8080");
//   a->host;  // "::1"
//   a->port;  // 8080
//   IsLoopbackAddress("127.0.0.1:50051");  // true
//
// Thread safety: pure functions.
#ifndef VIGIL_SERVICE_HOST_PORT_H_
#define VIGIL_SERVICE_HOST_PORT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vigil::service {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 literal
  int port = 0;      // 0-65535
};

// Splits HOST:PORT at its last ':'. Fails (InvalidArgument, naming the
// address) when the port is missing, not a number or above 65535, or the
// host is empty.
absl::StatusOr<HostPort> ParseHostPort(std::string_view address);

// True when `address` (HOST:PORT) can only be reached from this machine:
// "localhost", "[::1]" or an IPv4 literal 127.a.b.c. Names that merely
// start like one ("127.example.com", "localhost.evil") are not.
bool IsLoopbackAddress(std::string_view address);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_HOST_PORT_H_
