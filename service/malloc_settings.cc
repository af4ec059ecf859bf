#include "service/malloc_settings.h"

#include <malloc.h>

#include <cstdlib>

namespace vigil::service {

bool ConfigureMalloc() {
  if (std::getenv("GLIBC_TUNABLES") != nullptr ||
      std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) {
    return false;
  }
  // Setting it also turns off its dynamic adjustment.
  return mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMmapThreshold)) == 1;
}

}  // namespace vigil::service
