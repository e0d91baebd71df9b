// Truncated power law p(x) = C x^-alpha exp(-Lambda x) on x >= xmin, with
// C = Lambda^(1-alpha) / Gamma(1-alpha, Lambda xmin), fitted as the powerlaw package
// (1.5) does for WeightWatcher's fit='TPL' (powerlaw 1.5's `Fit` with `Truncated_Power_Law`, which `WeightWatcher.fit_powerlaw` calls): at every unique
// candidate xmin (the largest excluded) maximise the likelihood with Nelder-Mead from
// alpha0 = 1 + n / sum ln(x/xmin), Lambda0 = 1/mean(x); out-of-range parameters
// (alpha <= 1 or Lambda <= 0) and zero likelihoods count as p = 1e-307; pick the
// in-range candidate with the smallest KS distance D, where the model CDF is
// 1 - Gamma(1-alpha, Lambda u) / Gamma(1-alpha, Lambda xmin).
//
// The upper incomplete gamma function of a negative first argument comes from GSL
// (gsl_sf_gamma_inc_e); where it underflows (Lambda x beyond ~700) its logarithm is
// taken from the asymptotic series ln Gamma(a, z) ~ (a-1) ln z - z + ln(1 + (a-1)/z + (a-1)(a-2)/z^2).
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

#include <cmath>
#include <limits>
#include <vector>

#include "fit/nelder_mead.hpp"
#include "fit/tail_internal.hpp"

namespace setol::fit {
namespace {

const double kLogTiny = std::log(1e-307);

double log_upper_gamma(double a, double z) {
  static const bool handler_off = [] {
    gsl_set_error_handler_off();
    return true;
  }();
  (void)handler_off;
  gsl_sf_result r;
  if (gsl_sf_gamma_inc_e(a, z, &r) == GSL_SUCCESS && r.val > 0 && std::isfinite(r.val)) return std::log(r.val);
  const double b = a - 1;
  return b * std::log(z) - z + std::log1p(b / z + b * (a - 2) / (z * z));
}

struct Tail {
  std::span<const double> x;  // tail values, ascending
  double t = 0;               // xmin
  double sum_log = 0, sum_x = 0;
};

double neg_log_likelihood(const Tail& tail, double alpha, double lambda) {
  const double m = static_cast<double>(tail.x.size());
  if (!(alpha > 1) || !(lambda > 0)) return -m * kLogTiny;
  const double log_c = (1 - alpha) * std::log(lambda) - log_upper_gamma(1 - alpha, lambda * tail.t);
  // ln p is decreasing in x: if the largest point is above the 1e-307 floor, all are.
  const double xmax = tail.x.back();
  if (log_c - alpha * std::log(xmax) - lambda * xmax >= kLogTiny)
    return -(m * log_c - alpha * tail.sum_log - lambda * tail.sum_x);
  double s = 0;
  for (double v : tail.x) s += std::max(log_c - alpha * std::log(v) - lambda * v, kLogTiny);
  return -s;
}

// KS distance of the fitted TPL on the tail, abandoned early once above `bound`.
double tpl_ks(const Tail& tail, double alpha, double lambda, double bound) {
  const double a = 1 - alpha;
  const double log_g0 = log_upper_gamma(a, lambda * tail.t);
  const double m = static_cast<double>(tail.x.size());
  double d = 0;
  for (std::size_t k = 0; k < tail.x.size(); ++k) {
    if (k > 0 && tail.x[k] == tail.x[k - 1]) continue;  // evaluate at unique values (left-limit ECDF)
    const double c = 1 - std::exp(log_upper_gamma(a, lambda * tail.x[k]) - log_g0);
    d = std::max(d, std::fabs(c - static_cast<double>(k) / m));
    if (d > bound) break;
  }
  return d;
}

}  // namespace

PowerLawFit fit_tpl_candidates(std::span<const double> x, std::size_t lo, std::size_t hi) {
  PowerLawFit best;
  const std::size_t n = x.size();
  if (n < 2) return best;
  hi = std::min(hi, n);
  std::vector<double> suffix_log(n + 1, 0), suffix_x(n + 1, 0);
  for (std::size_t i = n; i-- > 0;) {
    suffix_log[i] = suffix_log[i + 1] + std::log(x[i]);
    suffix_x[i] = suffix_x[i + 1] + x[i];
  }
  double best_d = std::numeric_limits<double>::infinity();
  bool best_in_range = false;
  for (std::size_t i = lo; i < hi; ++i) {
    if (i > 0 && x[i] == x[i - 1]) continue;  // unique candidates only
    if (!(x[i] < x[n - 1])) break;            // the largest value is never a candidate
    Tail tail{x.subspan(i), x[i], suffix_log[i], suffix_x[i]};
    const double m = static_cast<double>(n - i);
    double log_ratio_sum = 0;
    for (double v : tail.x) log_ratio_sum += std::log(v / tail.t);
    const double alpha0 = 1 + m / log_ratio_sum;
    const double lambda0 = 1 / (tail.sum_x / m);
    const auto nm = nelder_mead([&](const std::vector<double>& p) { return neg_log_likelihood(tail, p[0], p[1]); },
                                {alpha0, lambda0});
    const double alpha = nm.x[0], lambda = nm.x[1];
    const bool in_range = alpha > 1 && lambda > 0;
    if (best_in_range && !in_range) continue;
    // An in-range candidate always beats an out-of-range one (powerlaw's noise rule).
    const double bound = (in_range && !best_in_range) ? std::numeric_limits<double>::infinity() : best_d;
    const double d = in_range ? tpl_ks(tail, alpha, lambda, bound) : 1.0;
    if ((in_range && !best_in_range) || d < best_d) {
      best_d = d;
      best_in_range = in_range;
      best.ok = true;
      best.alpha = alpha;
      best.Lambda = lambda;
      best.xmin = tail.t;
      best.D = d;
    }
  }
  if (best.ok) {
    best.sigma = std::numeric_limits<double>::quiet_NaN();  // powerlaw gives no sigma for TPL
    best.xmax = x[n - 1];
  }
  return best;
}

}  // namespace setol::fit
