// The logistic function, the one copy the scorer and the trainer share.
//
// Thread safety: a pure function.
#ifndef VIGIL_ANALYZERS_UTIL_LOGISTIC_H_
#define VIGIL_ANALYZERS_UTIL_LOGISTIC_H_

#include <cmath>

namespace vigil {

// 1 / (1 + exp(-z)), computed without overflow for any finite z (for
// negative z as exp(z) / (1 + exp(z))).
inline double Logistic(double z) {
  if (z >= 0) return 1 / (1 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1 + e);
}

}  // namespace vigil

#endif  // VIGIL_ANALYZERS_UTIL_LOGISTIC_H_
