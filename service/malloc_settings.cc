#include "service/malloc_settings.h"

#include <malloc.h>

#include <cstdlib>
#include <utility>

namespace vigil::service {

bool ConfigureMalloc() {
  if (std::getenv("GLIBC_TUNABLES") != nullptr ||
      std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) {
    return false;
  }
  // Setting it also turns off its dynamic adjustment.
  return mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMmapThreshold)) == 1;
}

IdleTrimmer::IdleTrimmer(std::function<void()> trim)
    : trim_(trim ? std::move(trim) : [] { malloc_trim(0); }) {}

bool IdleTrimmer::Tick(uint64_t calls_finished) {
  const bool quiet = calls_finished == previous_;
  previous_ = calls_finished;
  if (!quiet || calls_finished == at_last_trim_) return false;
  at_last_trim_ = calls_finished;
  trim_();
  return true;
}

}  // namespace vigil::service
