// Fuzzes the server config parser (protobuf text format plus checks): it
// must accept or reject with a message, never crash.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "service/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path =
      (std::filesystem::temp_directory_path() /
       ("vigil_config_fuzz_" + std::to_string(::getpid()) + ".conf"))
          .string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data),
              static_cast<std::streamsize>(size));
  }
  vigil::service::ServerOptions options;
  const absl::Status status = vigil::service::ApplyConfigFile(path, &options);
  if (!status.ok() && status.message().empty()) std::abort();
  return 0;
}
