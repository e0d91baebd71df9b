// Power-law fit and scale metrics against worked examples printed by WeightWatcher 0.7.5.5
// (WWFit, its entropy), a brute-force transcription of the WWFit formulas, and Pareto samples of known alpha.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "setol/metrics.hpp"
#include "setol/powerlaw.hpp"

using namespace setol;

namespace {

// Every candidate evaluated in full, no pruning (WeightWatcher's WWFit as written).
PowerLawFit brute_force(const std::vector<double>& evals) {
  std::vector<double> x;
  for (double e : evals)
    if (e > kFitEvalsThreshold) x.push_back(e);
  PowerLawFit f;
  double best = INFINITY;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const double m = static_cast<double>(x.size() - i);
    long double s = 0;
    for (std::size_t j = x.size(); j-- > i;) s += std::log(x[j]);
    const double alpha = 1 + m / (static_cast<double>(s) - m * std::log(x[i]));
    const double d = alpha > 1 ? ks_distance(std::span<const double>(x).subspan(i), alpha) : 1.0;
    if (d < best) {
      best = d;
      f.ok = true;
      f.alpha = alpha;
      f.xmin = x[i];
      f.D = d;
    }
  }
  return f;
}

std::vector<double> pareto(std::size_t n, double alpha, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> v(n);
  for (auto& x : v) x = std::pow(1.0 - u(rng), -1.0 / (alpha - 1.0));  // density ∝ x^-alpha on [1, inf)
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST(PowerLaw, WeightWatcherWorkedExample) {
  // WWFit's result on this input, printed by WeightWatcher 0.7.5.5.
  const std::vector<double> x = {0.5, 1, 1.5, 2, 3, 5, 8, 13, 21, 34};
  const auto f = fit_power_law(x);
  ASSERT_TRUE(f.ok);
  EXPECT_NEAR(f.alpha, 1.5991238273, 1e-9);
  EXPECT_EQ(f.xmin, 1.0);
  EXPECT_NEAR(f.D, 0.1742875033, 1e-9);
  EXPECT_NEAR(f.sigma, 0.1997079424, 1e-9);
  EXPECT_EQ(f.xmax, 34.0);
  EXPECT_EQ(f.num_pl_spikes, 9);
}

TEST(PowerLaw, PrunedSearchEqualsBruteForce) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> ln(0.0, 1.5);
  for (int trial = 0; trial < 30; ++trial) {
    std::vector<double> x(50 + static_cast<std::size_t>(trial) * 37);
    for (auto& v : x) v = ln(rng);
    if (trial % 3 == 0) {
      auto tail = pareto(x.size() / 4, 2.0 + trial * 0.1, static_cast<unsigned>(trial));
      std::copy(tail.begin(), tail.end(), x.begin());
    }
    std::sort(x.begin(), x.end());
    const auto a = fit_power_law(x), b = brute_force(x);
    ASSERT_TRUE(a.ok);
    EXPECT_EQ(a.xmin, b.xmin) << "trial " << trial;
    EXPECT_EQ(a.alpha, b.alpha) << "trial " << trial;
    EXPECT_EQ(a.D, b.D) << "trial " << trial;
  }
}

TEST(PowerLaw, RecoversKnownAlphaOfParetoSamples) {
  for (double alpha : {1.8, 2.5, 3.5, 5.0}) {
    const auto x = pareto(20000, alpha, 11);
    const auto f = fit_power_law(x);
    ASSERT_TRUE(f.ok);
    // Statistical tolerance: 4 standard errors of the MLE on the chosen tail.
    const double se = (alpha - 1) / std::sqrt(static_cast<double>(f.num_pl_spikes));
    EXPECT_NEAR(f.alpha, alpha, 4 * se) << "tail " << f.num_pl_spikes;
    EXPECT_GT(f.num_pl_spikes, 1000);
  }
}

TEST(PowerLaw, TooFewEigenvaluesFail) {
  const std::vector<double> x = {0, 1e-7, 1e-6, 3.0};  // one value above 1e-5
  const auto f = fit_power_law(x);
  EXPECT_FALSE(f.ok);
  EXPECT_EQ(f.alpha, -1);
  EXPECT_EQ(f.num_pl_spikes, -1);
  EXPECT_TRUE(std::isnan(f.xmax));
  EXPECT_EQ(training_warning(f.alpha), "over-trained");  // WeightWatcher labels failures so
}

TEST(PowerLaw, EqualTailValuesGiveInfiniteAlpha) {
  const std::vector<double> x = {1, 2, 2, 2, 2};
  const auto f = fit_power_law(x);
  ASSERT_TRUE(f.ok);
  // Candidate 0 (xmin 1): finite alpha; candidates with all-equal tails: alpha inf, D=(m-1)/m.
  EXPECT_EQ(f.xmin, brute_force(x).xmin);
}

TEST(Metrics, WarningThresholds) {
  EXPECT_EQ(training_warning(1.99), "over-trained");
  EXPECT_EQ(training_warning(2.0), "");
  EXPECT_EQ(training_warning(6.0), "");
  EXPECT_EQ(training_warning(6.01), "under-trained");
}

TEST(Metrics, ClosedForms) {
  const std::vector<double> l = {1, 2, 3, 4};
  const auto s = scale_metrics(l, 4);
  EXPECT_NEAR(s.entropy, 0.9232196724654572, 1e-15);  // WeightWatcher 0.7.5.5's entropy of this input
  EXPECT_DOUBLE_EQ(s.norm, 10.0);
  EXPECT_DOUBLE_EQ(s.log_norm, 1.0);
  EXPECT_DOUBLE_EQ(s.stable_rank, 2.5);
  EXPECT_DOUBLE_EQ(s.lambda_max, 4.0);
  EXPECT_EQ(s.matrix_rank, 4);
  EXPECT_EQ(s.weak_rank_loss, 0);
  EXPECT_NEAR(log_alpha_norm(l, 2.0), std::log10(30.0), 1e-15);
  EXPECT_NEAR(alpha_weighted(3.0, 100.0), 6.0, 1e-15);
}
