// SETOL ERG/ECS measures and layer qualities (SETOL Sec. 3.2 and 5.5, Eq. 120-124, Tables 8-9). Units: mean-1 ("tilde")
// eigenvalues mu = s lambda, s = n / sum lambda, the same rescaling as detX. The ECS is the
// ERG tail (top detX_num eigenvalues), lambda~_min its smallest member; every quality is
// Qbar^2 = sum over the ECS of G(mu_i) with G(mu) = integral from lambda~_min to mu of Re R,
// reported as log10 Qbar.
#include "setol/ecs.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "fit/precise_sum.hpp"

namespace setol {

double imp_integral(double k, double lo, double hi) {
  if (!(hi > lo) || !(k > 0)) return 0;
  // Below z = k/2: with w = sqrt(k (k - 2z)) the integrand is 2k/(k + w) dz = -2 w/(k + w) dw,
  // an antiderivative is F(z) = -2 w + 2 k ln(k + w). Above: k ln z.
  const double branch = k / 2;
  auto below = [k](double z) {
    const double w = std::sqrt(std::max(0.0, k * (k - 2 * z)));
    return -2 * w + 2 * k * std::log(k + w);
  };
  double total = 0;
  if (lo < branch) total += below(std::min(hi, branch)) - below(lo);
  if (hi > branch) total += k * std::log(hi / std::max(lo, branch));
  return total;
}

namespace {
double half_log10(double q2) { return q2 > 0 ? 0.5 * std::log10(q2) : std::numeric_limits<double>::quiet_NaN(); }
}  // namespace

EcsMeasures ecs_measures(std::span<const double> evals, const PowerLawFit& fit, const DetX& detx) {
  EcsMeasures m;
  if (!detx.found) return m;
  const double s = detx.scale;
  const std::size_t n = evals.size();
  m.erg_lambda_min = detx.val;
  m.ecs_rank = detx.num;
  if (fit.ok) {
    m.delta_lambda_min = s * fit.xmin - s * detx.val;  // PL start minus ERG start (Eq. 164 sign)
    long double r = 0;
    for (std::size_t i = n; i-- > 0 && evals[i] >= fit.xmin;) r += std::log(static_cast<long double>(s) * evals[i]);
    m.erg_residual = static_cast<double>(r);
    m.erg_ok = std::fabs(m.erg_residual) <= EcsMeasures::kErgTolerance * static_cast<double>(fit.num_pl_spikes);
  }
  // The ECS in mean-1 units.
  std::vector<double> ecs;
  for (std::size_t i = static_cast<std::size_t>(detx.idx); i < n; ++i) ecs.push_back(s * evals[i]);
  const double lmin = ecs.front();
  long double sum = 0, sum_above = 0;
  for (double v : ecs) sum += v, sum_above += v - lmin;
  // Discrete / bulk+spikes model: R = sum of the ECS eigenvalues, Qbar = that "tail norm".
  m.quality_discrete = sum > 0 ? std::log10(static_cast<double>(sum)) : m.quality_discrete;
  // Free Cauchy: R = a + i gamma_c, G = a (mu - lambda~_min); the shift a is estimated by the
  // median of the ECS (the location of a Cauchy law; the paper gives no estimator).
  std::vector<double> sorted = ecs;
  const double a = sorted.size() % 2 ? sorted[sorted.size() / 2]
                                     : 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
  m.quality_free_cauchy = half_log10(a * static_cast<double>(sum_above));
  if (fit.ok && fit.alpha > 1) {
    // Inverse MP with the empirical association kappa_I = alpha / 2 (SETOL Sec. 5.5 text;
    // Table 9 contradicts it, see docs/metrics.md).
    const double kI = fit.alpha / 2;
    long double q2 = 0;
    for (double v : ecs) q2 += imp_integral(kI, lmin, v);
    m.quality_imp = half_log10(static_cast<double>(q2));
    // Levy-Wigner: R = b z^(alpha-2) with b = alpha - 1, so G = mu^(alpha-1) - lambda~_min^(alpha-1).
    long double lw = 0;
    for (double v : ecs) lw += std::pow(v, fit.alpha - 1) - std::pow(lmin, fit.alpha - 1);
    m.quality_levy_wigner = half_log10(static_cast<double>(lw));
  }
  return m;
}

SpectralEntropies spectral_entropies(std::span<const double> evals) {
  SpectralEntropies e;
  const long double total = fit::precise_sum(evals);
  if (!(total > 0)) return e;
  long double sq = 0, h = 0;
  for (double v : evals) {
    const long double p = v / total;
    sq += p * p;
    if (p > 0) h -= p * std::log(p);
  }
  e.renyi2 = -std::log(static_cast<double>(sq));
  e.tsallis2 = 1 - static_cast<double>(sq);
  e.effective_rank = std::exp(static_cast<double>(h));
  return e;
}

}  // namespace setol
