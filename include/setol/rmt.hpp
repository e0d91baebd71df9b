// Random-matrix diagnostics at WeightWatcher parity: Marchenko-Pastur bulk fit
// (WeightWatcher.apply_mp_fit), the detX / ERG condition (WeightWatcher.apply_detX) and the
// Jensen-Shannon distance between an ESD and its randomised ESD (WeightWatcher.apply_random_esd).
#pragma once
#include <cstdint>
#include <limits>
#include <span>

namespace setol {

struct MpFit {
  bool ok = false;                  // false: the fit could not be made (all values -1, as WeightWatcher)
  std::int64_t num_spikes = -1;     // #{mu > lambda_plus + sqrt(TW)} in mean-1 units
  double sigma_mp = -1;             // fitted sigma, mean-1 units (~1 for a random matrix)
  double mp_softrank = -1;          // lambda_plus / mu_max
  double W_scale = -1;              // sqrt(n / sum lambda): the mean-1 rescaling is W_scale^2
  double bulk_max = -1, bulk_min = -1;  // MP edges lambda_plus, lambda_minus in original units
};

// Fits the MP law to the ESD (ascending) of a layer with aspect ratio Q = N/M.
MpFit fit_marchenko_pastur(std::span<const double> evals, double Q, std::int64_t M);

struct DetX {
  bool found = false;               // false for fewer than 2 or all-equal eigenvalues
  std::int64_t num = 0;             // detX_num: size of the ERG tail (smallest k, top-k log-sum < 0)
  std::int64_t idx = 0;             // ascending index of its smallest eigenvalue
  double val = std::numeric_limits<double>::quiet_NaN();           // detX_val: lambda_idx, original units
  double val_rescaled = std::numeric_limits<double>::quiet_NaN();  // detX_val_unrescaled (sic): mean-1 units
  double log_sum = std::numeric_limits<double>::quiet_NaN();       // sum of ln(mu) over the ERG tail (< 0)
  double scale = std::numeric_limits<double>::quiet_NaN();         // s = n / sum(lambda), mu = s * lambda
};

DetX detx_condition(std::span<const double> evals);

// sqrt of the Jensen-Shannon divergence (natural log) between two equal-length
// non-negative vectors taken as distributions over index (WeightWatcher.apply_random_esd).
double jensen_shannon_distance(std::span<const double> p, std::span<const double> q);

}  // namespace setol
