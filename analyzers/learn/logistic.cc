// L-BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line
// search on the regularized logistic loss. Parameters are the feature
// weights followed by the bias, in one vector.
#include "analyzers/learn/logistic.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include "analyzers/util/logistic.h"

namespace vigil::learn {
namespace {

// log(1 + exp(z)) without overflow.
double Softplus(double z) {
  return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// Objective and gradient at `x` (weights then bias).
double Evaluate(const std::vector<SparseExample>& data, double c,
                const std::vector<double>& x, std::vector<double>* grad) {
  const size_t n = x.size() - 1;
  const double bias = x[n];
  double loss = 0;
  std::fill(grad->begin(), grad->end(), 0.0);
  for (const SparseExample& e : data) {
    double sum = 0;
    for (int32_t f : e.features) sum += x[f];
    const double z = bias + e.value * sum;
    const double y = e.positive ? 1 : -1;
    loss += c * Softplus(-y * z);
    // d/dz of softplus(-y z) = -y * sigmoid(-y z)
    const double g = -y * Logistic(-y * z) * c;
    for (int32_t f : e.features) (*grad)[f] += g * e.value;
    (*grad)[n] += g;
  }
  for (size_t i = 0; i < n; ++i) {
    loss += 0.5 * x[i] * x[i];
    (*grad)[i] += x[i];
  }
  return loss;
}

}  // namespace

double LogisticModel::Score(const std::vector<int32_t>& features,
                            double value) const {
  double sum = 0;
  for (int32_t f : features) sum += weights[f];
  return bias + value * sum;
}

double LogisticModel::Probability(const std::vector<int32_t>& features,
                                  double value) const {
  return Logistic(Score(features, value));
}

LogisticModel FitLogistic(const std::vector<SparseExample>& data,
                          int32_t num_features,
                          const LogisticOptions& options) {
  const size_t dim = static_cast<size_t>(num_features) + 1;
  std::vector<double> x(dim, 0.0), grad(dim), new_x(dim), new_grad(dim);
  double f = Evaluate(data, options.c, x, &grad);
  std::deque<std::vector<double>> s_hist, y_hist;
  std::deque<double> rho_hist;
  std::vector<double> direction(dim), alpha(options.history);
  LogisticModel model;
  int iteration = 0;
  for (; iteration < options.max_iterations; ++iteration) {
    if (std::sqrt(Dot(grad, grad)) < options.tolerance) break;
    // Two-loop recursion: direction = -H * grad.
    direction = grad;
    for (int k = static_cast<int>(s_hist.size()) - 1; k >= 0; --k) {
      alpha[k] = rho_hist[k] * Dot(s_hist[k], direction);
      for (size_t i = 0; i < dim; ++i) direction[i] -= alpha[k] * y_hist[k][i];
    }
    if (!s_hist.empty()) {
      const double gamma =
          Dot(s_hist.back(), y_hist.back()) / Dot(y_hist.back(), y_hist.back());
      for (double& d : direction) d *= gamma;
    }
    for (size_t k = 0; k < s_hist.size(); ++k) {
      const double beta = rho_hist[k] * Dot(y_hist[k], direction);
      for (size_t i = 0; i < dim; ++i)
        direction[i] += s_hist[k][i] * (alpha[k] - beta);
    }
    for (double& d : direction) d = -d;
    double slope = Dot(grad, direction);
    if (slope >= 0) {  // not a descent direction: restart from the gradient
      for (size_t i = 0; i < dim; ++i) direction[i] = -grad[i];
      slope = Dot(grad, direction);
      s_hist.clear();
      y_hist.clear();
      rho_hist.clear();
    }
    // Backtracking line search (Armijo).
    double step =
        s_hist.empty() ? 1.0 / std::max(1.0, std::sqrt(Dot(grad, grad))) : 1.0;
    double new_f = 0;
    bool accepted = false;
    for (int tries = 0; tries < 40; ++tries) {
      for (size_t i = 0; i < dim; ++i) new_x[i] = x[i] + step * direction[i];
      new_f = Evaluate(data, options.c, new_x, &new_grad);
      if (new_f <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    std::vector<double> s(dim), y(dim);
    for (size_t i = 0; i < dim; ++i) {
      s[i] = new_x[i] - x[i];
      y[i] = new_grad[i] - grad[i];
    }
    const double sy = Dot(s, y);
    if (sy > 1e-12) {
      s_hist.push_back(std::move(s));
      y_hist.push_back(std::move(y));
      rho_hist.push_back(1 / sy);
      if (static_cast<int>(s_hist.size()) > options.history) {
        s_hist.pop_front();
        y_hist.pop_front();
        rho_hist.pop_front();
      }
    }
    const double improvement = f - new_f;
    x.swap(new_x);
    grad.swap(new_grad);
    f = new_f;
    if (improvement < 1e-10 * std::max(1.0, std::abs(f))) {
      ++iteration;
      break;
    }
  }
  model.weights.assign(x.begin(), x.end() - 1);
  model.bias = x.back();
  model.iterations = iteration;
  model.loss = f;
  return model;
}

}  // namespace vigil::learn
