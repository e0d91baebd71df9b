// Heavy-tailed Marchenko-Pastur (HTMP) law and the fit of its repulsion parameter kappa
// (Hodgkinson, Wang, Mahoney 2025; HTMP arXiv 2506.03470; Wishart form as in docs/metrics.md
// for weight Gram matrices). gamma = M/N <= 1 is the aspect ratio; the standard form has
// mean 1: a = kappa/2, c = kappa/(2 gamma), delta = c - a, and
//   rho(x) = c (c x)^(delta-1) e^(-c x) / (Gamma(a+1) Gamma(c) |U(a, 1-delta, -c x)|^2)
// with U Tricomi's confluent hypergeometric function on its cut. kappa -> infinity is MP;
// small kappa means heavy tails.
#pragma once
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

namespace setol::htmp {

// ln rho_std(x; gamma, kappa), x > 0. NaN if the special functions cannot be evaluated.
double log_density(double x, double gamma, double kappa);

// CDF of the standard form at each ascending x, from the unwrapped phase of U
// (F = 2/(pi kappa) [theta(x) - theta(0)], docs/metrics.md).
std::vector<double> cdf(std::span<const double> x_sorted, double gamma, double kappa);

// Eigenvalues (ascending, mean ~1) of an HTMP(gamma, kappa) spectrum of size n, drawn with
// the Dumitriu-Edelman tridiagonal beta-Laguerre model (Dumitriu & Edelman 2002).
std::vector<double> sample(std::int64_t n, double gamma, double kappa, std::uint64_t seed);

// Closed-form moment/Stieltjes (Riccati identity) estimate of kappa from mean-1 data
// (docs/metrics.md, "HTMP kappa"); infinity when the variance is at the MP level.
double riccati_estimate(std::span<const double> x, double gamma);

inline constexpr double kKappaMax = 200.0;  // above this the law is indistinguishable from MP

struct Fit {
  enum class Status { Success, MpLike, Failed } status = Status::Failed;
  std::string_view method;  // "mle" or "riccati"
  double kappa = std::numeric_limits<double>::quiet_NaN();
  double kappa_se = std::numeric_limits<double>::quiet_NaN();  // parametric-bootstrap standard error
  double scale = std::numeric_limits<double>::quiet_NaN();     // mean eigenvalue: lambda = scale * x
  double D = std::numeric_limits<double>::quiet_NaN();         // KS distance of the fitted law
  double gamma = std::numeric_limits<double>::quiet_NaN();
};

// Fits kappa to a layer's eigenvalues (ascending) with aspect ratio gamma = M/N.
Fit fit(std::span<const double> evals, double gamma, std::uint64_t seed);

}  // namespace setol::htmp
