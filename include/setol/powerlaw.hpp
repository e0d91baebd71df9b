// Power-law fit of the ESD tail, WeightWatcher's default fitter (pl_package='ww',
// WeightWatcher.fit_powerlaw with WWFit): every eigenvalue above 1e-5 except the largest is tried as xmin,
// alpha is the continuous MLE, D the KS distance, and the smallest D wins (first on ties).
#pragma once
#include <cstdint>
#include <limits>
#include <span>

#include "setol/options.hpp"

namespace setol {

struct PowerLawFit {
  bool ok = false;  // false: "failed" (fewer than 2 eigenvalues above 1e-5, or alpha not finite)
  double alpha = -1, xmin = -1, D = -1, sigma = -1;
  double xmax = std::numeric_limits<double>::quiet_NaN();  // largest eigenvalue fitted; NaN (null) when failed
  std::int64_t num_pl_spikes = -1;                         // eigenvalues >= xmin
  double Lambda = std::numeric_limits<double>::quiet_NaN();     // TPL only: exponential cut-off rate
  std::int64_t num_fingers = 0;                                 // clip_xmax only: top eigenvalues removed
  double raw_alpha = std::numeric_limits<double>::quiet_NaN();  // clip_xmax only: alpha before clipping
};

enum class TailDistribution { PowerLaw, TruncatedPowerLaw };
inline constexpr EnumNames<TailDistribution, 2> kTailDistributionNames{
    {{TailDistribution::PowerLaw, "PL"}, {TailDistribution::TruncatedPowerLaw, "TPL"}}};

enum class FixFingers { None, XminPeak, ClipXmax };
inline constexpr EnumNames<FixFingers, 3> kFixFingersNames{
    {{FixFingers::None, ""}, {FixFingers::XminPeak, "xmin_peak"}, {FixFingers::ClipXmax, "clip_xmax"}}};

struct TailFitOptions {
  TailDistribution distribution = TailDistribution::PowerLaw;
  FixFingers fix_fingers = FixFingers::None;
  double xmin_max = 0;        // xmin_peak: upper end of the xmin window; 0 = 1.5 x the histogram peak
  int max_fingers = 10;       // clip_xmax: most top eigenvalues removed
  double finger_thresh = 1.0; // clip_xmax: alpha must drop by more than this
  bool ww_xmin_peak_window = false;  // xmin_peak: WeightWatcher 0.7.5.5's window (see docs/metrics.md)
};

// The tail fit with every option (WeightWatcher.fit_powerlaw's fix_fingers and fit options). `evals` ascending.
PowerLawFit fit_tail(std::span<const double> evals, const TailFitOptions& opt);

// Eigenvalues at or below this are left out of the fit only (as WeightWatcher.fit_powerlaw).
inline constexpr double kFitEvalsThreshold = 1e-5;

// The default fit; `evals` sorted ascending (all eigenvalues of the layer).
PowerLawFit fit_power_law(std::span<const double> evals);

// The xmin_peak reference point: 10^(left edge of the first fullest bin) of a 100-bin
// histogram of log10 of the eigenvalues above 1e-5 (numpy's binning rules).
double log_histogram_peak(std::span<const double> evals);

// D of one candidate: max_k |1 - (x_k/x_0)^(1-alpha) - k/m| over the m points of `tail`
// (tail[0] is xmin). Exposed for tests.
double ks_distance(std::span<const double> tail, double alpha);

}  // namespace setol
