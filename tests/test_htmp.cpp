// HTMP law against independent high-precision reference values (40-digit mpmath), its
// moments and limits, the beta-Laguerre sampler, and recovery of kappa on sampled spectra.
#include <gtest/gtest.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <numbers>

#include "setol/htmp.hpp"

using namespace setol;

TEST(Htmp, LogDensityReferenceValues) {
  // 40-digit mpmath values of ln rho_std(x) at x = 0.05, 0.5, 1, 2, 5.
  struct Row {
    double gamma, kappa, v[5], tol;
  };
  const Row rows[] = {
      {0.5, 2, {+0.259505168407, -0.662713562886, -1.131701325904, -1.900357439537, -5.249020440802}, 1e-7},  // delta = 1
      {0.3255, 5.5, {-3.499750980957, -0.344735474040, -0.723956773585, -1.652523601557, -14.175989229193}, 1e-11},
      {0.3255, 1.9, {-0.577656736064, -0.463074118215, -0.889226370080, -1.789423930831, -6.910670385703}, 1e-11},
      {0.3255, 0.001, {-3.500914785247, -5.799530033599, -6.492040558057, -7.185318395619, -8.104358389423}, 1e-11},
      {0.25, 0.5, {+0.325073233169, -0.665896420515, -1.183985129638, -2.036254154550, -4.640509053393}, 1e-11},
      {0.5, 100, {-11.632540363652, -0.456569758843, -0.870640556531, -1.569407705811, -101.164983384343}, 1e-7},  // delta = 50
  };
  const double xs[5] = {0.05, 0.5, 1, 2, 5};
  for (const auto& r : rows)
    for (int i = 0; i < 5; ++i)
      EXPECT_NEAR(htmp::log_density(xs[i], r.gamma, r.kappa), r.v[i], r.tol)
          << "gamma " << r.gamma << " kappa " << r.kappa << " x " << xs[i];
}

TEST(Htmp, CdfReferenceValues) {
  // 40-digit mpmath values of the CDF: F(0.1), F(0.5), F(1), F(2).
  struct Row {
    double gamma, kappa, F[4];
  };
  const Row rows[] = {{0.5, 2.0, {0.1355007326, 0.4184297865, 0.6213869371, 0.8460560255}},
                      {0.3255, 5.5, {0.0065792502, 0.2808325818, 0.5762207486, 0.9042005339}},
                      {0.3255, 1.9, {0.0500928411, 0.3435475990, 0.5991024851, 0.8746769323}},
                      {0.25, 0.5, {0.1583477330, 0.4448801617, 0.6428899165, 0.8474026649}}};
  const std::vector<double> xs = {0.1, 0.5, 1.0, 2.0};
  for (const auto& r : rows) {
    const auto F = htmp::cdf(xs, r.gamma, r.kappa);
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(F[static_cast<std::size_t>(i)], r.F[i], 5e-9) << r.gamma << " " << r.kappa;
  }
}

TEST(Htmp, NormalisationMeanAndVariance) {
  using boost::math::quadrature::gauss_kronrod;
  for (const auto& [gamma, kappa] : std::vector<std::pair<double, double>>{{0.5, 2.0}, {0.3255, 5.5}, {0.25, 0.5}}) {
    auto moment = [&](int k) {
      auto f = [&](double x) { return std::pow(x, k) * std::exp(htmp::log_density(x, gamma, kappa)); };
      // The density has an integrable power-law singularity at 0 and a light tail.
      return gauss_kronrod<double, 61>::integrate(f, 0.0, 1.0, 15, 1e-12) +
             gauss_kronrod<double, 61>::integrate(f, 1.0, 80.0, 15, 1e-12);
    };
    const double m0 = moment(0), m1 = moment(1), m2 = moment(2);
    EXPECT_NEAR(m0, 1.0, 1e-6) << gamma << " " << kappa;
    EXPECT_NEAR(m1 / m0, 1.0, 1e-6);
    EXPECT_NEAR(m2 / m0 - 1.0, gamma * (1 + 2 / kappa), 1e-5);  // the law's variance: gamma (1 + 2/kappa)
  }
}

TEST(Htmp, LimitsMarchenkoPasturAndGamma) {
  // kappa -> infinity: the MP law of ratio gamma (~0.3% at kappa = 400).
  const double g = 0.5, xm = std::pow(1 - std::sqrt(g), 2), xp = std::pow(1 + std::sqrt(g), 2);
  for (double x : {0.5, 1.0, 1.5, 2.0}) {
    const double mp = std::sqrt((xp - x) * (x - xm)) / (2 * std::numbers::pi * g * x);
    EXPECT_NEAR(std::exp(htmp::log_density(x, g, 199.0)), mp, 0.01 * mp) << x;
  }
  // MP CDF at 1 for g = 0.5 (closed form, evaluated at 40 digits): 0.5760042151.
  EXPECT_NEAR(htmp::cdf(std::vector<double>{1.0}, g, 199.0)[0], 0.5760042151, 5e-3);
  // kappa -> 0: independent eigenvalues, Gamma(shape c, rate c), c = kappa/(2 gamma) (within 0.6% at 1e-3).
  const double kappa = 1e-3, gm = 0.3255, c = kappa / (2 * gm);
  for (double x : {0.5, 1.0, 2.0}) {
    const double lg = c * std::log(c) + (c - 1) * std::log(x) - c * x - std::lgamma(c);
    EXPECT_NEAR(htmp::log_density(x, gm, kappa), lg, 0.006) << x;
  }
}

TEST(Htmp, SamplerMoments) {
  // Beta-Laguerre sampler: mean 1 and variance gamma (1 + 2/kappa) up to sampling noise.
  for (const auto& [gamma, kappa] : std::vector<std::pair<double, double>>{{0.5, 2.0}, {0.25, 4.0}}) {
    double mean = 0, var = 0;
    const int reps = 4;
    for (int r = 0; r < reps; ++r) {
      const auto s = htmp::sample(2000, gamma, kappa, 10 + static_cast<unsigned>(r));
      double m = 0, v = 0;
      for (double x : s) m += x;
      m /= static_cast<double>(s.size());
      for (double x : s) v += (x - m) * (x - m);
      mean += m / reps, var += v / static_cast<double>(s.size()) / reps;
    }
    EXPECT_NEAR(mean, 1.0, 0.02);
    EXPECT_NEAR(var, gamma * (1 + 2 / kappa), 0.06 * gamma * (1 + 2 / kappa));
  }
}

TEST(Htmp, RecoversKappaOnSampledSpectra) {
  // kappa in [0.5, 8], gamma in {0.25, 0.5, 1}, n = 1500, one seeded draw each. Measured
  // over 5 seeds at n = 2000: worst relative error 13.7% (gamma < 1, maximum likelihood),
  // 8.5% (gamma = 1, closed-form estimate); the test allows 20%.
  for (double gamma : {0.25, 0.5, 1.0}) {
    for (double kappa : {0.5, 1.0, 2.0, 4.0, 8.0}) {
      const auto s = htmp::sample(1500, gamma, kappa, 1000 + static_cast<unsigned>(kappa * 10 + gamma * 100));
      const auto f = htmp::fit(s, gamma, 3);
      ASSERT_EQ(f.status, htmp::Fit::Status::Success) << gamma << " " << kappa;
      EXPECT_NEAR(f.kappa / kappa, 1.0, 0.20) << "gamma " << gamma << " kappa " << kappa << " got " << f.kappa;
      EXPECT_LT(f.D, 0.06) << gamma << " " << kappa;
      EXPECT_GT(f.kappa_se, 0);
      EXPECT_LT(f.kappa_se, 0.3 * kappa);
    }
  }
}

TEST(Htmp, MarchenkoPasturSpectrumIsMpLike) {
  // A very large kappa is indistinguishable from MP: reported as "mp-like", not a number.
  const auto s = htmp::sample(2000, 0.5, 5000.0, 9);
  EXPECT_EQ(htmp::fit(s, 0.5, 1).status, htmp::Fit::Status::MpLike);
}
