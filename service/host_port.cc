#include "service/host_port.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace vigil::service {

absl::StatusOr<HostPort> ParseHostPort(std::string_view address) {
  const auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "address \"", absl::string_view(address.data(), address.size()),
        "\" is not HOST:PORT"));
  };
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return invalid();
  const std::string_view port_text = address.substr(colon + 1);
  HostPort out;
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string_view::npos ||
      !absl::SimpleAtoi(absl::string_view(port_text.data(), port_text.size()),
                        &out.port) ||
      out.port > 65535) {
    return invalid();
  }
  std::string_view host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return invalid();
  out.host = std::string(host);
  return out;
}

bool IsLoopbackAddress(std::string_view address) {
  absl::StatusOr<HostPort> parsed = ParseHostPort(address);
  if (!parsed.ok()) return false;
  const std::string& host = parsed->host;
  if (host == "localhost" || host == "::1") return true;
  // An IPv4 literal 127.a.b.c.
  const std::vector<absl::string_view> parts = absl::StrSplit(host, '.');
  if (parts.size() != 4 || parts[0] != "127") return false;
  for (absl::string_view part : parts) {
    int value = 0;
    if (part.empty() || part.size() > 3 ||
        part.find_first_not_of("0123456789") != absl::string_view::npos ||
        !absl::SimpleAtoi(part, &value) || value > 255) {
      return false;
    }
  }
  return true;
}

}  // namespace vigil::service
