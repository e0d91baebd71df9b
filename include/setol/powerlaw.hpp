// Power-law fit of the ESD tail, WeightWatcher's default fitter (pl_package='ww',
// ww-spec §6.1-6.2): every eigenvalue above 1e-5 except the largest is tried as xmin,
// alpha is the continuous MLE, D the KS distance, and the smallest D wins (first on ties).
#pragma once
#include <cstdint>
#include <limits>
#include <span>

namespace setol {

struct PowerLawFit {
  bool ok = false;  // false: "failed" (fewer than 2 eigenvalues above 1e-5, or alpha not finite)
  double alpha = -1, xmin = -1, D = -1, sigma = -1;
  double xmax = std::numeric_limits<double>::quiet_NaN();  // largest eigenvalue; NaN (null) when failed
  std::int64_t num_pl_spikes = -1;                         // eigenvalues >= xmin
};

// Eigenvalues at or below this are left out of the fit only (ww-spec §0 item 4).
inline constexpr double kFitEvalsThreshold = 1e-5;

// `evals` sorted ascending (all eigenvalues of the layer).
PowerLawFit fit_power_law(std::span<const double> evals);

// D of one candidate: max_k |1 - (x_k/x_0)^(1-alpha) - k/m| over the m points of `tail`
// (tail[0] is xmin). Exposed for tests.
double ks_distance(std::span<const double> tail, double alpha);

}  // namespace setol
