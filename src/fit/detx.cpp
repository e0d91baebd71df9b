// detX / ERG condition (WeightWatcher.apply_detX; SETOL Sec. 3.2, det X~ = 1, Eq. 124): rescale the ESD to mean 1
// (mu = s * lambda, s = n / sum lambda) and find the smallest k for which the product of
// the k largest mu is below 1, i.e. sum of their logs < 0. Computed as a cumulative
// log-sum (no overflow or underflow, O(n)); a zero eigenvalue contributes -inf.
#include <cmath>

#include "fit/precise_sum.hpp"
#include "setol/rmt.hpp"

namespace setol {

DetX detx_condition(std::span<const double> evals) {
  DetX d;
  const std::size_t n = evals.size();
  if (n < 2 || !(evals.front() < evals.back())) return d;  // undefined: report detX_num = 0, no value
  const double s = static_cast<double>(n) / static_cast<double>(fit::precise_sum(evals));
  d.scale = s;
  long double acc = 0;
  std::size_t k = 0;
  for (std::size_t i = n; i-- > 0;) {
    acc += std::log(static_cast<long double>(s) * evals[i]);
    ++k;
    if (acc < 0 || i == 0) break;  // by AM-GM the full sum is <= 0, so i == 0 ends it at k = n
  }
  d.found = true;
  d.num = static_cast<std::int64_t>(k);
  d.idx = static_cast<std::int64_t>(n - k);
  d.val = evals[n - k];
  d.val_rescaled = s * evals[n - k];
  d.log_sum = static_cast<double>(acc);
  return d;
}

double jensen_shannon_distance(std::span<const double> p, std::span<const double> q) {
  const long double sp = fit::precise_sum(p), sq = fit::precise_sum(q);
  // scipy.stats.entropy(a, m) normalises a and m = (p + q)/2 separately.
  long double sm = (sp + sq) / 2;
  long double kl_p = 0, kl_q = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const long double a = p[i] / sp, b = q[i] / sq, m = (p[i] + q[i]) / 2 / sm;
    if (a > 0) kl_p += a * std::log(a / m);
    if (b > 0) kl_q += b * std::log(b / m);
  }
  const long double js = (kl_p + kl_q) / 2;
  // Rounding can make the divergence of identical vectors a tiny negative number;
  // WeightWatcher then reports NaN, setol reports 0.
  return std::sqrt(static_cast<double>(js > 0 ? js : 0));
}

}  // namespace setol
