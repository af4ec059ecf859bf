// The analyst console's static files, compiled into the binary from
// service/console/ so the console works offline and needs no install path.
#ifndef VIGIL_SERVICE_HTTP_CONSOLE_ASSETS_H_
#define VIGIL_SERVICE_HTTP_CONSOLE_ASSETS_H_

#include <string_view>

namespace vigil::service {

struct ConsoleAsset {
  std::string_view path;  // "/app.js"; "/" is index.html
  std::string_view content_type;
  std::string_view body;
};

// The asset served at `path`, or null.
const ConsoleAsset* FindConsoleAsset(std::string_view path);

}  // namespace vigil::service

#endif  // VIGIL_SERVICE_HTTP_CONSOLE_ASSETS_H_
