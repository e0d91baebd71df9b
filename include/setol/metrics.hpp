// Eigenvalue-based layer metrics with WeightWatcher's names and formulas (its details columns).
#pragma once
#include <cstdint>
#include <span>
#include <string>

namespace setol {

struct ScaleMetrics {
  double norm = 0;               // sum(lambda) = ||W||_F^2 (of the scaled matrices)
  double log_norm = 0;           // log10(norm)
  double lambda_max = 0;         // = spectral_norm
  double log_spectral_norm = 0;  // log10(lambda_max)
  double stable_rank = 0;        // norm / lambda_max
  double entropy = 0;            // WeightWatcher's normalised matrix entropy
  std::int64_t matrix_rank = 0;  // #{sqrt(lambda) > sqrt(lambda_max) * N * eps}
  std::int64_t weak_rank_loss = 0;  // #{lambda < 1e-6}
};

// `evals` ascending; N is the layer's N (the rank tolerance uses it).
ScaleMetrics scale_metrics(std::span<const double> evals, std::int64_t N);

// alpha * log10(lambda_max) ("AlphaHat").
double alpha_weighted(double alpha, double lambda_max);
// log10(sum lambda^alpha) over all eigenvalues.
double log_alpha_norm(std::span<const double> evals, double alpha);
// "over-trained" if alpha < 2, "under-trained" if alpha > 6, else "" (WeightWatcher.fit_powerlaw).
std::string training_warning(double alpha);

}  // namespace setol
