#include <string>

#include "absl/strings/numbers.h"
#include "service/store/sql.h"

namespace vigil::service {

int64_t SqlValue::AsInt() const {
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) {
    // Truncated toward zero; NaN and reals outside int64's range (whose
    // conversion is undefined) read as 0, as out-of-range text does.
    constexpr double kLimit = 9223372036854775808.0;  // 2^63
    return *d >= -kLimit && *d < kLimit ? static_cast<int64_t>(*d) : 0;
  }
  if (const auto* s = std::get_if<std::string>(&value)) {
    int64_t v = 0;
    return absl::SimpleAtoi(*s, &v) ? v : 0;
  }
  return 0;
}

double SqlValue::AsReal() const {
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<int64_t>(&value)) {
    return static_cast<double>(*i);
  }
  if (const auto* s = std::get_if<std::string>(&value)) {
    double v = 0;
    return absl::SimpleAtod(*s, &v) ? v : 0;
  }
  return 0;
}

const std::string& SqlValue::AsString() const {
  static const std::string* const kEmpty = new std::string();
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* b = std::get_if<Blob>(&value)) return b->bytes;
  return *kEmpty;
}

}  // namespace vigil::service
