// L2-regularized logistic regression over sparse binary features, fitted
// with L-BFGS: the learner behind `vigil train`.
//
// Minimizes  C * sum_i log(1 + exp(-y_i (w . x_i + b)))  +  |w|^2 / 2
// (the bias b is not regularized), with y_i in {-1, +1} and x_i a set of
// feature indexes, every present feature of example i having the value v_i
// (1, or a length normalization such as 1/sqrt(words / L)).
//
// Deterministic: full-batch, fixed iteration order, no randomness, so the
// same data gives bit-identical weights on the same build.
//
//   std::vector<SparseExample> data = ...;
//   LogisticModel m = FitLogistic(data, num_features, {.c = 3});
//   double p = m.Probability(example.features);
//
// Thread safety: pure functions over their arguments.
#ifndef VIGIL_ANALYZERS_LEARN_LOGISTIC_H_
#define VIGIL_ANALYZERS_LEARN_LOGISTIC_H_

#include <cstdint>
#include <vector>

namespace vigil::learn {

struct SparseExample {
  std::vector<int32_t> features;  // indexes of the features present
  bool positive = false;
  double value = 1;  // the value of each present feature
};

struct LogisticOptions {
  double c = 1.0;  // inverse regularization strength
  int max_iterations = 500;
  double tolerance = 1e-6;  // stop when the gradient norm is this small
  int history = 10;         // L-BFGS memory
};

struct LogisticModel {
  std::vector<double> weights;
  double bias = 0;
  int iterations = 0;  // L-BFGS iterations run
  double loss = 0;     // final objective

  // b + value * (sum of the weights of `features`).
  double Score(const std::vector<int32_t>& features, double value = 1) const;
  double Probability(const std::vector<int32_t>& features,
                     double value = 1) const;
};

LogisticModel FitLogistic(const std::vector<SparseExample>& data,
                          int32_t num_features, const LogisticOptions& options);

}  // namespace vigil::learn

#endif  // VIGIL_ANALYZERS_LEARN_LOGISTIC_H_
