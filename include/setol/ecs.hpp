// SETOL measures beyond WeightWatcher (Martin & Hinrichs 2025, SETOL arXiv 2507.17912):
// the ERG/ECS condition next to the power-law tail, and experimental layer qualities
// Qbar from the integrated R-transform over the effective correlation space (ECS).
#pragma once
#include <cstdint>
#include <limits>
#include <span>

#include "setol/powerlaw.hpp"
#include "setol/rmt.hpp"

namespace setol {

struct EcsMeasures {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double erg_lambda_min = nan;    // ERG tail start (= detX_val), original units
  double delta_lambda_min = nan;  // xmin - ERG start, both in mean-1 units (SETOL Sec. 6.3, Eq. 164)
  double erg_residual = nan;      // sum of ln(mu) over the PL tail (mean-1 units); 0 under ideal learning
  std::int64_t ecs_rank = 0;      // size of the ERG tail (= detX_num)
  bool erg_ok = false;            // |erg_residual| <= kErgTolerance * num_pl_spikes
  // log10 Qbar for each R-transform model (SETOL Sec. 5.5, Tables 8-9; docs/metrics.md); NaN where undefined.
  double quality_discrete = nan, quality_free_cauchy = nan, quality_imp = nan, quality_levy_wigner = nan;

  // erg_ok tolerance on the mean log eigenvalue of the PL tail: its geometric mean (mean-1
  // units) within e^(+-0.1) of 1.
  static constexpr double kErgTolerance = 0.1;
};

// `evals` ascending; `fit` the layer's tail fit; `detx` its detX result.
EcsMeasures ecs_measures(std::span<const double> evals, const PowerLawFit& fit, const DetX& detx);

// Integral of Re R_IMP(z) from lo to hi for the inverse-MP R-transform with parameter k:
// R(z) = (k - sqrt(k (k - 2z)))/z below the branch point z = k/2, Re R = k/z above it.
double imp_integral(double k, double lo, double hi);

// Spectral entropies of the normalised ESD p_i = lambda_i / sum lambda.
struct SpectralEntropies {
  double renyi2 = 0;          // -ln sum p^2
  double tsallis2 = 0;        // 1 - sum p^2
  double effective_rank = 0;  // exp(-sum p ln p)
};
SpectralEntropies spectral_entropies(std::span<const double> evals);

}  // namespace setol
