// Reading the server configuration file (proto/vigil/v1/config.proto, text
// format) into ServerOptions.
#ifndef VIGIL_SERVICE_CONFIG_H_
#define VIGIL_SERVICE_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "service/server.h"

namespace vigil::service {

// Parses the text-format ServerConfig in `path` and applies the fields it
// sets to `options` (others keep their values). Errors name
// path:line:column, including unknown fields and out-of-range limits.
absl::Status ApplyConfigFile(const std::string& path, ServerOptions* options);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_CONFIG_H_
