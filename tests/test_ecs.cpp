// SETOL ERG/ECS measures, R-transform qualities and spectral entropies against closed forms
// and SETOL's ERG cutoff worked by hand.
#include <gtest/gtest.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>

#include "setol/ecs.hpp"

using namespace setol;

TEST(Ecs, WorkedExample) {
  // Worked by hand: {0.1, 0.2, 0.5, 1, 2, 4, 8}: s = 7/15.8, ERG tail = top 5 (from 0.5).
  const std::vector<double> ev = {0.1, 0.2, 0.5, 1, 2, 4, 8};
  const DetX d = detx_condition(ev);
  PowerLawFit fit;
  fit.ok = true;
  fit.alpha = 3.0;
  fit.xmin = 2.0;
  fit.num_pl_spikes = 3;
  const auto m = ecs_measures(ev, fit, d);
  const double s = 7 / 15.8;
  EXPECT_EQ(m.ecs_rank, 5);
  EXPECT_DOUBLE_EQ(m.erg_lambda_min, 0.5);
  EXPECT_NEAR(m.delta_lambda_min, s * 2.0 - s * 0.5, 1e-14);  // PL start minus ERG start, mean-1 units
  EXPECT_NEAR(m.erg_residual, std::log(2 * s) + std::log(4 * s) + std::log(8 * s), 1e-12);
  EXPECT_NEAR(m.erg_residual, 1.716584, 2e-5);  // = the cumulative log-sum at k = 3, by hand
  EXPECT_FALSE(m.erg_ok);                         // 1.7166 > 0.1 x 3
  EXPECT_NEAR(m.quality_discrete, std::log10(s * (0.5 + 1 + 2 + 4 + 8)), 1e-12);
  // Free Cauchy: a = median of the ECS (2 s), Qbar^2 = a sum (mu - mu_min).
  const double q2 = 2 * s * s * ((0.5 + 1 + 2 + 4 + 8) - 5 * 0.5);
  EXPECT_NEAR(m.quality_free_cauchy, 0.5 * std::log10(q2), 1e-12);
  // Levy-Wigner with alpha = 3: G = mu^2 - mu_min^2.
  double lw = 0;
  for (double v : {0.5, 1.0, 2.0, 4.0, 8.0}) lw += s * s * (v * v - 0.25);
  EXPECT_NEAR(m.quality_levy_wigner, 0.5 * std::log10(lw), 1e-12);
}

TEST(Ecs, ImpIntegralMatchesQuadrature) {
  using boost::math::quadrature::gauss_kronrod;
  for (double k : {0.5, 1.0, 1.5}) {
    auto re_r = [k](double z) { return z < k / 2 ? (k - std::sqrt(k * (k - 2 * z))) / z : k / z; };
    for (const auto& [lo, hi] : std::vector<std::pair<double, double>>{{0.01, 0.2}, {0.05, 3.0}, {k, 5 * k}}) {
      const double ref =
          (lo < k / 2 ? gauss_kronrod<double, 61>::integrate(re_r, lo, std::min(hi, k / 2), 20, 1e-13) : 0) +
          (hi > k / 2 ? gauss_kronrod<double, 61>::integrate(re_r, std::max(lo, k / 2), hi, 20, 1e-13) : 0);
      EXPECT_NEAR(imp_integral(k, lo, hi), ref, 1e-10) << k << " [" << lo << ", " << hi << "]";
    }
    // Above the branch point it is the text's closed form kappa_I ln(lambda / lambda_min).
    EXPECT_NEAR(imp_integral(k, k, 4 * k), k * std::log(4.0), 1e-14);
  }
}

TEST(Ecs, UndefinedWithoutErgTail) {
  const auto m = ecs_measures(std::vector<double>(5, 1.0), PowerLawFit{}, detx_condition(std::vector<double>(5, 1.0)));
  EXPECT_EQ(m.ecs_rank, 0);
  EXPECT_TRUE(std::isnan(m.quality_discrete));
}

TEST(SpectralEntropies, ClosedForms) {
  const auto flat = spectral_entropies(std::vector<double>(8, 3.0));
  EXPECT_NEAR(flat.renyi2, std::log(8.0), 1e-14);
  EXPECT_NEAR(flat.tsallis2, 1 - 1.0 / 8, 1e-14);
  EXPECT_NEAR(flat.effective_rank, 8.0, 1e-12);
  const auto spike = spectral_entropies(std::vector<double>{0, 0, 0, 5});
  EXPECT_NEAR(spike.renyi2, 0, 1e-15);
  EXPECT_NEAR(spike.tsallis2, 0, 1e-15);
  EXPECT_NEAR(spike.effective_rank, 1, 1e-15);
  // p = (1/4, 3/4): H = -(1/4 ln 1/4 + 3/4 ln 3/4), sum p^2 = 10/16.
  const auto two = spectral_entropies(std::vector<double>{1, 3});
  EXPECT_NEAR(two.effective_rank, std::exp(-(0.25 * std::log(0.25) + 0.75 * std::log(0.75))), 1e-14);
  EXPECT_NEAR(two.renyi2, -std::log(10.0 / 16), 1e-14);
}
