#include <cmath>
#include <limits>

#include "fit/precise_sum.hpp"
#include "setol/metrics.hpp"

namespace setol {

using fit::precise_sum;

ScaleMetrics scale_metrics(std::span<const double> evals, std::int64_t N) {
  ScaleMetrics s;
  if (evals.empty()) return s;
  s.norm = static_cast<double>(precise_sum(evals));
  s.log_norm = std::log10(s.norm);
  s.lambda_max = evals.back();
  s.log_spectral_norm = std::log10(s.lambda_max);
  s.stable_rank = s.norm / s.lambda_max;
  // matrix_rank on singular values sqrt(lambda) with numpy's tolerance S.max() * N * eps.
  const double tol = std::sqrt(s.lambda_max) * static_cast<double>(N) * std::numeric_limits<double>::epsilon();
  for (double e : evals) {
    if (std::sqrt(e) > tol) ++s.matrix_rank;
    if (e < 1e-6) ++s.weak_rank_loss;
  }
  // Matrix entropy (WeightWatcher's `entropy` column): p_i = lambda_i / sum + 1e-10 (not renormalised),
  // H = -sum p ln p / ln(rank + 1e-10).
  constexpr double kEps = 1e-10;
  long double h = 0;
  for (double e : evals) {
    const double p = e / s.norm + kEps;
    h -= static_cast<long double>(p) * std::log(p);
  }
  s.entropy = static_cast<double>(h) / std::log(static_cast<double>(s.matrix_rank) + kEps);
  return s;
}

double alpha_weighted(double alpha, double lambda_max) { return alpha * std::log10(lambda_max); }

double log_alpha_norm(std::span<const double> evals, double alpha) {
  long double s = 0;
  for (double e : evals) s += std::pow(e, alpha);
  return std::log10(static_cast<double>(s));
}

std::string training_warning(double alpha) {
  if (alpha < 2.0) return "over-trained";
  if (alpha > 6.0) return "under-trained";
  return "";
}

}  // namespace setol
