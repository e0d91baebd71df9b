// Exhaustive-xmin power-law fit, numerically the same as WeightWatcher's WWFit
// (WeightWatcher's `WWFit`, pl_package='ww'): for candidate i with tail x_i..x_{n-1} of size m = n - i,
//   alpha_i = 1 + m / (sum_{j>=i} ln x_j - m ln x_i)          (continuous MLE)
//   D_i     = max_k |1 - (x_{i+k}/x_i)^(1 - alpha_i) - k/m|   (KS against the left-limit ECDF)
//   sigma_i = (alpha_i - 1) / sqrt(m)
// and i* = argmin D_i, first on ties. D_i = 1 when alpha_i <= 1.
//
// Speed: evaluating every D_i is O(n^2) powers. The search first computes a bound from a
// sparse set of candidates, then abandons each candidate as soon as one of its deviations
// exceeds the best D so far (so D_i > best: it cannot win). Each candidate is probed first
// where the previous one deviated most and on a coarse grid of its tail. Only the winner's
// D is needed exactly, and it is always computed over its whole tail with the same
// arithmetic as the reference.
#include <algorithm>
#include <cmath>
#include <vector>

#include "fit/tail_internal.hpp"
#include "setol/powerlaw.hpp"

namespace setol {

double ks_distance(std::span<const double> tail, double alpha) {
  const double m = static_cast<double>(tail.size());
  const double x0 = tail[0];
  const double e = -alpha + 1;
  double d = 0;
  for (std::size_t k = 0; k < tail.size(); ++k)
    d = std::max(d, std::fabs(1 - std::pow(tail[k] / x0, e) - static_cast<double>(k) / m));
  return d;
}

namespace fit {

std::span<const double> fit_data(std::span<const double> evals) {
  const auto first = std::upper_bound(evals.begin(), evals.end(), kFitEvalsThreshold);
  return {first, evals.end()};
}

PowerLawFit fit_pl_candidates(std::span<const double> x, std::size_t lo, std::size_t hi) {
  PowerLawFit fit;
  const std::size_t n = x.size();
  hi = std::min(hi, n == 0 ? 0 : n - 1);
  if (lo >= hi) return fit;

  // Suffix sums of ln x in extended precision, so that alpha is within an ulp or two of
  // numpy's pairwise sum.
  std::vector<double> logx(n), suffix(n);
  long double acc = 0;
  for (std::size_t i = n; i-- > lo;) {
    logx[i] = std::log(x[i]);
    acc += logx[i];
    suffix[i] = static_cast<double>(acc);
  }
  auto alpha_at = [&](std::size_t i) {
    const double m = static_cast<double>(n - i);
    return 1 + m / (suffix[i] - m * logx[i]);
  };
  auto dev = [&](std::size_t i, double e, double m, std::size_t k) {
    return std::fabs(1 - std::pow(x[i + k] / x[i], e) - static_cast<double>(k) / m);
  };
  // D of candidate i, abandoned (returning +inf) as soon as a deviation exceeds `bound`.
  // `probe` (absolute index) is tried first and updated to where the largest deviation was.
  auto distance = [&](std::size_t i, double alpha, double bound, std::size_t& probe) {
    if (!(alpha > 1)) return 1.0;
    const std::size_t mi = n - i;
    const double m = static_cast<double>(mi), e = -alpha + 1;
    double d = 0;
    std::size_t arg = probe;
    // Probes: the previous candidate's worst point, then a coarse grid of the tail.
    if (probe > i && probe < n && (d = dev(i, e, m, probe - i)) > bound) return HUGE_VAL;
    for (std::size_t g = 1; g < 8; ++g) {
      const std::size_t k = mi * g / 8;
      const double v = dev(i, e, m, k);
      if (v > d) d = v, arg = i + k;
      if (d > bound) {
        probe = arg;
        return HUGE_VAL;
      }
    }
    for (std::size_t k = 0; k < mi; ++k) {
      const double v = dev(i, e, m, k);
      if (v > d) {
        d = v;
        arg = i + k;
        if (d > bound) {
          probe = arg;
          return HUGE_VAL;
        }
      }
    }
    probe = arg;
    return d;
  };

  // A good bound first: the exact D of a sparse set of candidates (every stride-th and the
  // last 32, where the tails of trained layers usually start). Then every candidate is
  // visited; it can only win if each of its deviations stays <= the best D so far, so it is
  // dropped at the first deviation above it. Ties keep the lowest index, as argmin does.
  double best_d = HUGE_VAL;
  std::size_t best_i = lo;
  std::size_t probe = 0;
  auto consider = [&](std::size_t i, double bound) {
    const double alpha = alpha_at(i);
    const double d = distance(i, alpha, bound, probe);
    if (d < best_d || (d == best_d && i < best_i)) best_d = d, best_i = i;
  };
  const std::size_t count = hi - lo, stride = std::max<std::size_t>(1, count / 64);
  for (std::size_t i = lo; i < hi; i += stride) consider(i, HUGE_VAL);
  for (std::size_t i = hi - std::min<std::size_t>(count, 32); i < hi; ++i) consider(i, HUGE_VAL);
  probe = 0;
  for (std::size_t i = lo; i < hi; ++i) consider(i, best_d);

  const double best_alpha = alpha_at(best_i);
  if (!std::isfinite(best_d) || std::isnan(best_alpha)) return fit;
  fit.ok = true;
  fit.alpha = best_alpha;
  fit.xmin = x[best_i];
  fit.D = best_d;
  fit.sigma = (best_alpha - 1) / std::sqrt(static_cast<double>(n - best_i));
  fit.xmax = x[n - 1];
  return fit;
}

std::int64_t count_at_least(std::span<const double> evals, double v) {
  return static_cast<std::int64_t>(evals.end() - std::lower_bound(evals.begin(), evals.end(), v));
}

}  // namespace fit

PowerLawFit fit_power_law(std::span<const double> evals) {
  const auto x = fit::fit_data(evals);
  PowerLawFit f = fit::fit_pl_candidates(x, 0, x.size());
  if (f.ok) f.num_pl_spikes = fit::count_at_least(evals, f.xmin);
  return f;
}

}  // namespace setol
