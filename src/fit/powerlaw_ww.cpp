// Exhaustive-xmin power-law fit, numerically the same as WeightWatcher's WWFit
// (ww-spec §6.2): for candidate i with tail x_i..x_{n-1} of size m = n - i,
//   alpha_i = 1 + m / (sum_{j>=i} ln x_j - m ln x_i)          (continuous MLE)
//   D_i     = max_k |1 - (x_{i+k}/x_i)^(1 - alpha_i) - k/m|   (KS against the left-limit ECDF)
//   sigma_i = (alpha_i - 1) / sqrt(m)
// and i* = argmin D_i, first on ties. D_i = 1 when alpha_i <= 1.
//
// Speed: evaluating every D_i is O(n^2) powers. The search keeps the best D so far and
// abandons a candidate as soon as one of its deviations exceeds it (then D_i > best,
// so it cannot win, ties included since earlier candidates win ties). Each candidate is
// first probed where the previous candidate deviated most. Only the winner's D is
// needed exactly, and it is always computed over its whole tail.
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

  double best_d = std::numeric_limits<double>::infinity();
  std::size_t best_i = lo;
  double best_alpha = 0;
  std::size_t probe = 0;  // absolute index where the last candidate deviated most
  for (std::size_t i = lo; i < hi; ++i) {
    const std::size_t mi = n - i;
    const double m = static_cast<double>(mi);
    const double alpha = 1 + m / (suffix[i] - m * logx[i]);
    double d = 1;
    if (alpha > 1) {
      const double x0 = x[i];
      const double e = -alpha + 1;
      auto dev = [&](std::size_t k) {
        return std::fabs(1 - std::pow(x[i + k] / x0, e) - static_cast<double>(k) / m);
      };
      bool pruned = false;
      d = 0;
      if (probe > i && probe < n) {
        d = dev(probe - i);
        pruned = d > best_d;
      }
      std::size_t arg = probe;
      for (std::size_t k = 0; k < mi && !pruned; ++k) {
        const double v = dev(k);
        if (v > d) {
          d = v;
          arg = i + k;
          pruned = d > best_d;
        }
      }
      probe = arg;
      if (pruned) continue;
    }
    if (d < best_d) {
      best_d = d;
      best_i = i;
      best_alpha = alpha;
    }
  }
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
