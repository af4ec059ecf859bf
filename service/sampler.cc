#include "service/sampler.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <utility>

namespace vigil::service {

Sampler::Sampler(double rate, std::string key)
    : rate_(rate), key_(key.empty() ? kDefaultKey : std::move(key)) {}

double Sampler::Position(std::string_view source, std::string_view id) const {
  std::string message;
  message.reserve(source.size() + 1 + id.size());
  message.append(source).push_back('\0');
  message.append(id);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       digest, &length);
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = bits << 8 | digest[i];
  // The top 53 bits, as a double in [0, 1).
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

}  // namespace vigil::service
