// The HTMP density and CDF through Kummer's function M (Boost.Math hypergeometric_1F1),
// with the connection formula U(a,b,z) = G(1-b)/G(a-b+1) M(a,b,z) + G(b-1)/G(a) z^(1-b) M(a-b+1,2-b,z): for t > 0, b = 1 - delta,
//   X = M(a, 1-delta, -t) Gamma(delta) / (pi Gamma(a+delta)) - cot(pi delta) B,
//   B = t^delta M(a+delta, 1+delta, -t) / (Gamma(a) Gamma(1+delta)),
//   U(a, 1-delta, -t - i0) = pi (X + i B),
// (the Gamma(1-delta) of the textbook form replaced by the reflection formula, and every
// Gamma ratio taken through lgamma so that large kappa does not overflow). At integer
// delta the formula is singular; the result is averaged over delta +- 1e-4 (error ~1e-8),
// and so is half-integer delta (see needs_split).
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_1F1.hpp>
#include <cmath>
#include <numbers>

#include "setol/htmp.hpp"

namespace setol::htmp {
namespace {

// U / pi = (X + i B) e^scale, scale chosen so that X and B are O(1): for large kappa
// |U| underflows double precision long before ln|U| does.
struct UValue {
  double x = std::nan(""), b = std::nan("");
  double scale = 0;
  double log_abs2() const { return 2 * scale + std::log(x * x + b * b) + 2 * std::log(std::numbers::pi); }
};

UValue u_on_cut(double a, double delta, double t) {
  using boost::math::hypergeometric_1F1;
  using std::lgamma;
  UValue u;
  try {
    const double m_b = hypergeometric_1F1(a + delta, 1 + delta, -t);
    const double m_x = hypergeometric_1F1(a, 1 - delta, -t);
    int sign = 1;  // Gamma(delta) < 0 for the -1e-4 side of delta = 0
    const double lg_delta = boost::math::lgamma(delta, &sign);
    // Log magnitudes of the prefactors: B = m_b e^lb, X1 = m_x e^lx / pi.
    const double lb = delta * std::log(t) - lgamma(a) - lgamma(1 + delta);
    const double lx = lg_delta - lgamma(a + delta) - std::log(std::numbers::pi);
    const double la = std::log(std::fabs(m_b)) + lb, lc = std::log(std::fabs(m_x)) + lx;
    u.scale = std::max(std::isfinite(la) ? la : -1e300, std::isfinite(lc) ? lc : -1e300);
    const double bterm = m_b * std::exp(lb - u.scale);
    const double xterm = sign * m_x * std::exp(lx - u.scale);
    u.b = bterm;
    u.x = xterm - bterm * std::cos(std::numbers::pi * delta) / std::sin(std::numbers::pi * delta);
  } catch (const std::exception&) {
  }
  return u;
}

bool near_integer(double d) { return std::fabs(d - std::round(d)) < 1e-6; }
// Integer delta is a pole of the connection formula; at large half-integer delta Boost's
// 1F1 with b = 1 - delta loses accuracy. Both are evaluated at delta +- 1e-4 and averaged.
bool needs_split(double d) { return near_integer(2 * d); }

double density_at(double x, double a, double delta) {
  const double c = a + delta;
  const double t = c * x;
  const UValue u = u_on_cut(a, delta, t);
  return std::exp(std::log(c) + (delta - 1) * std::log(t) - t - std::lgamma(a + 1) - std::lgamma(c) - u.log_abs2());
}

double phase_at(double t, double a, double delta) {
  const UValue u = u_on_cut(a, delta, t);
  return std::atan2(u.b, u.x);
}

}  // namespace

double log_density(double x, double gamma, double kappa) {
  if (!(x > 0) || !(gamma > 0) || !(kappa > 0)) return std::nan("");
  const double a = kappa / 2, delta = kappa * (1 - gamma) / (2 * gamma);
  if (!needs_split(delta)) return std::log(density_at(x, a, delta));
  constexpr double eps = 1e-4;
  return std::log(0.5 * (density_at(x, a, delta - eps) + density_at(x, a, delta + eps)));
}

std::vector<double> cdf(std::span<const double> xs, double gamma, double kappa) {
  const double a = kappa / 2, delta0 = kappa * (1 - gamma) / (2 * gamma);
  constexpr double eps = 1e-4;
  // At integer delta average delta +- eps; at delta = 0 (square layers) the phase is only
  // defined from the positive side, so delta = eps alone is used (an O(1e-4) error).
  const bool split = needs_split(delta0) && delta0 > 0.25;
  const double deltas[2] = {split ? delta0 - eps : (needs_split(delta0) ? delta0 + eps : delta0), delta0 + eps};
  std::vector<double> out(xs.size(), 0.0);
  for (int k = 0; k < (split ? 2 : 1); ++k) {
    const double delta = deltas[k];
    const double c = a + delta;
    // Unwrap the phase along a grid fine enough that each step moves it by less than pi:
    // the data points plus a uniform grid up to the largest one.
    const double xmax = xs.empty() ? 1.0 : xs.back();
    const int grid = 512;
    double theta = phase_at(1e-12 * c, a, delta), prev = theta;
    const double theta0 = theta;
    std::size_t next = 0;
    double x_prev = 0;
    for (int g = 1; g <= grid && next < xs.size(); ++g) {
      const double xg = xmax * g / grid;
      while (next < xs.size() && xs[next] <= xg) {  // data points up to this grid point
        const double p = phase_at(c * xs[next], a, delta);
        double d = p - prev;
        d -= 2 * std::numbers::pi * std::round(d / (2 * std::numbers::pi));
        theta += d;
        prev = p;
        out[next] += (2 / (std::numbers::pi * kappa)) * (theta - theta0) / (split ? 2 : 1);
        x_prev = xs[next];
        ++next;
      }
      if (xg > x_prev) {
        const double p = phase_at(c * xg, a, delta);
        double d = p - prev;
        d -= 2 * std::numbers::pi * std::round(d / (2 * std::numbers::pi));
        theta += d;
        prev = p;
        x_prev = xg;
      }
    }
  }
  return out;
}

}  // namespace setol::htmp
