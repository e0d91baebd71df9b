// Marchenko-Pastur fit as WeightWatcher 0.7.5.5 does it (WeightWatcher.apply_mp_fit and RMT_Util.fit_density_with_range):
// rescale the ESD to mean 1; fit sigma by a grid search over [0.05 s0, 2 s0) in steps of
// 0.01 s0 (s0 puts the MP edge at the largest eigenvalue) followed by a Nelder-Mead
// polish, minimising the squared difference between the MP density and a linear-kernel
// KDE (bandwidth 0.1) on 1000 points, where the KDE exceeds 0.01. Singular values and
// the quarter-circle law are used when Q = 1.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "fit/nelder_mead.hpp"
#include "fit/precise_sum.hpp"
#include "setol/rmt.hpp"

namespace setol {
namespace {

struct Kde {
  std::vector<double> x, f;  // the good points only
  double x_peak = 0, x_max = 0;
};

// Linear-kernel density (1/(n h)) sum max(0, 1 - |x - y_i|/h) of sorted data y on
// linspace(0, max(y) + 0.5, 1000), keeping the points where it exceeds 0.01.
Kde linear_kde(const std::vector<double>& y, double h) {
  Kde k;
  const int num = 1000;
  const double stop = y.back() + 0.5;
  const double step = stop / (num - 1);
  const double norm = 1.0 / (static_cast<double>(y.size()) * h);
  std::size_t lo = 0;
  double best = -1;
  for (int j = 0; j < num; ++j) {
    const double xj = j == num - 1 ? stop : j * step;
    while (lo < y.size() && y[lo] <= xj - h) ++lo;
    double s = 0;
    for (std::size_t i = lo; i < y.size() && y[i] < xj + h; ++i) s += 1.0 - std::fabs(xj - y[i]) / h;
    const double fj = s * norm;
    if (fj > 0.01) {
      k.x.push_back(xj);
      k.f.push_back(fj);
      if (fj > best) best = fj, k.x_peak = xj;
    }
  }
  if (!k.x.empty()) k.x_max = k.x.back();
  return k;
}

// Values WeightWatcher's density functions give (numpy nan_to_num: NaN -> 0, inf -> max).
double finite_or(double v) {
  if (std::isnan(v)) return 0.0;
  if (std::isinf(v)) return v > 0 ? std::numeric_limits<double>::max() : -std::numeric_limits<double>::max();
  return v;
}

double objective(const Kde& k, double Q, double sigma) {
  double sum = 0;
  if (Q == 1.0) {  // quarter circle on singular values (WeightWatcher does not scale x by sigma)
    for (std::size_t j = 0; j < k.x.size(); ++j) {
      const double mp = finite_or((1 / (std::numbers::pi * sigma * sigma)) * std::sqrt(4 - k.x[j] * k.x[j]));
      const double r = mp - k.f[j];
      sum += r * r;
    }
    return sum;
  }
  const double a = std::pow(sigma * (1 - std::sqrt(1 / Q)), 2);
  const double b = std::pow(sigma * (1 + std::sqrt(1 / Q)), 2);
  if (b < k.x_peak || b > k.x_max || a > k.x_peak) return 1000.0 * 1000.0 * static_cast<double>(k.x.size());
  const double y = 1 / Q;
  for (std::size_t j = 0; j < k.x.size(); ++j) {
    const double x = k.x[j];
    const double mp = finite_or((1 / (2 * std::numbers::pi * sigma * sigma * x * y)) * std::sqrt((b - x) * (x - a)));
    const double r = mp - k.f[j];
    sum += r * r;
  }
  return sum;
}

}  // namespace

MpFit fit_marchenko_pastur(std::span<const double> evals, double Q, std::int64_t M) {
  MpFit out;
  if (evals.size() < 2 || !(Q > 0) || M <= 0) return out;
  const long double total = fit::precise_sum(evals);
  if (!(total > 0)) return out;
  const double n = static_cast<double>(evals.size());
  const double w_scale = std::sqrt(n) / std::sqrt(static_cast<double>(total));
  const double s2 = w_scale * w_scale;
  std::vector<double> mu(evals.size());
  for (std::size_t i = 0; i < mu.size(); ++i) mu[i] = s2 * evals[i];
  std::sort(mu.begin(), mu.end());
  const double mu_max = mu.back();

  std::vector<double> y = mu;
  if (Q == 1.0)
    for (auto& v : y) v = std::sqrt(v);
  const Kde kde = linear_kde(y, 0.1);
  if (kde.x.empty()) return out;

  // Grid: numpy/scipy mgrid over slice(0.05 s0, 2 s0, 0.01 s0).
  const double inv_sq = 1.0 / std::sqrt(Q);
  const double s0 = std::sqrt(mu_max / ((1 + inv_sq) * (1 + inv_sq)));
  const double start = 0.05 * s0, stop = 2.0 * s0, step = 0.01 * s0;
  const auto count = static_cast<long>(std::ceil((stop - start) / step));
  // numpy's arange fills start + i * delta with delta = (start + step) - start.
  const double delta = (start + step) - start;
  double best_sigma = start, best = std::numeric_limits<double>::infinity();
  for (long i = 0; i < count; ++i) {
    const double sg = i == 1 ? start + step : start + static_cast<double>(i) * delta;
    const double v = objective(kde, Q, sg);
    if (v < best) best = v, best_sigma = sg;
  }
  const auto polish = fit::nelder_mead([&](const std::vector<double>& p) { return objective(kde, Q, p[0]); },
                                       {best_sigma});
  const double sigma = polish.x[0];

  const double lambda_plus = std::pow(sigma * (1 + 1 / std::sqrt(Q)), 2);
  const double lambda_minus = std::pow(sigma * (1 - 1 / std::sqrt(Q)), 2);
  // Tracy-Widom margin as WeightWatcher adds it: threshold lambda_plus + sqrt(TW).
  const double tw = 1 / std::sqrt(Q) * std::pow(lambda_plus, 2.0 / 3.0) * std::pow(static_cast<double>(M), -2.0 / 3.0);
  const double threshold = lambda_plus + std::sqrt(tw);
  out.num_spikes = static_cast<std::int64_t>(mu.end() - std::upper_bound(mu.begin(), mu.end(), threshold));
  out.sigma_mp = sigma;
  out.mp_softrank = lambda_plus / mu_max;
  out.W_scale = w_scale;
  out.bulk_max = lambda_plus / s2;
  out.bulk_min = lambda_minus / s2;
  out.ok = std::isfinite(sigma);
  return out;
}

}  // namespace setol
