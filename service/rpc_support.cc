#include "service/rpc_support.h"

#include <cstdio>

#include "analyzers/util/strings.h"
#include "service/log.h"

namespace vigil::service {

void RecordRpc(Metrics* metrics, std::string_view method,
               const grpc::Status& status, const std::string& who, int posts,
               int flagged, std::chrono::steady_clock::time_point start) {
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  metrics->ObserveRpc(method, status.error_code(), ms / 1000);
  char took[32];
  std::snprintf(took, sizeof(took), "%.3f", ms);
  std::string fields =
      StrCat("method=", method, " code=", static_cast<int>(status.error_code()),
             " who=", Quote(who.empty() ? "-" : who), " posts=", posts,
             " flagged=", flagged, " ms=", std::string_view(took));
  if (!status.ok()) {
    fields.append(" error=").append(Quote(status.error_message()));
  }
  Log(status.ok() ? LogLevel::kDebug : LogLevel::kWarning, "rpc", fields);
}

}  // namespace vigil::service
