// detX, Marchenko-Pastur fit, Jensen-Shannon distance, Nelder-Mead and the randomised
// ESD against closed forms, worked examples and known distributions.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "fit/nelder_mead.hpp"
#include "fixtures.hpp"
#include "pipeline/diagnostics.hpp"
#include "setol/analyze.hpp"
#include "setol/rmt.hpp"

using namespace setol;

TEST(DetX, WorkedExamples) {
  // WeightWatcher.apply_detX on [0 x 90, 1 x 10] -> detX_num 11, index 89.
  std::vector<double> a(90, 0.0);
  a.insert(a.end(), 10, 1.0);
  auto d = detx_condition(a);
  EXPECT_EQ(d.num, 11);
  EXPECT_EQ(d.idx, 89);
  // WeightWatcher.apply_detX on [0.01, 0.1, 0.2, 0.5, 1, 2, 3, 10] -> 5 and index 3.
  d = detx_condition(std::vector<double>{0.01, 0.1, 0.2, 0.5, 1, 2, 3, 10});
  EXPECT_EQ(d.num, 5);
  EXPECT_EQ(d.idx, 3);
  EXPECT_EQ(d.val, 0.5);
  // SETOL's ERG cutoff worked by hand: {0.1, 0.2, 0.5, 1, 2, 4, 8} -> k* = 5, normalised cutoff 0.2215190, raw 0.5.
  d = detx_condition(std::vector<double>{0.1, 0.2, 0.5, 1, 2, 4, 8});
  EXPECT_EQ(d.num, 5);
  EXPECT_EQ(d.idx, 2);
  EXPECT_NEAR(d.val_rescaled, 0.2215190, 1e-7);
  EXPECT_EQ(d.val, 0.5);
  EXPECT_LT(d.log_sum, 0);
  EXPECT_NEAR(d.log_sum, -0.604763, 1e-6);
}

TEST(DetX, ScaleInvarianceAndEdges) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> ln(0, 1);
  std::vector<double> v(500);
  for (auto& x : v) x = ln(rng);
  std::sort(v.begin(), v.end());
  const auto d1 = detx_condition(v);
  for (auto& x : v) x *= 1e12;  // a plain product would overflow here; the log-sum does not
  const auto d2 = detx_condition(v);
  EXPECT_EQ(d1.num, d2.num);
  EXPECT_GT(d1.num, 0);
  EXPECT_FALSE(detx_condition(std::vector<double>(10, 2.0)).found);  // constant spectrum: undefined
  EXPECT_FALSE(detx_condition(std::vector<double>{3.0}).found);
  // AM-GM: the sum of all logs of a mean-1 spectrum is <= 0, so k* <= n always.
  const auto d3 = detx_condition(std::vector<double>{1.0, 1.0, 1.0, 1.0000001});
  EXPECT_TRUE(d3.found);
  EXPECT_LE(d3.num, 4);
}

TEST(JensenShannon, ClosedForms) {
  const std::vector<double> p = {1, 2, 3, 4};
  EXPECT_NEAR(jensen_shannon_distance(p, p), 0.0, 1e-12);
  // Disjoint supports: JS divergence = ln 2.
  EXPECT_NEAR(jensen_shannon_distance(std::vector<double>{1, 0}, std::vector<double>{0, 1}), std::sqrt(std::log(2.0)),
              1e-12);
  // p = (1/2, 1/2), q = (1, 0): m = (3/4, 1/4); JS = ½[½ln(2/3) + ½ln 2] + ½ ln(4/3).
  const double js = 0.5 * (0.5 * std::log(0.5 / 0.75) + 0.5 * std::log(0.5 / 0.25)) + 0.5 * std::log(1 / 0.75);
  EXPECT_NEAR(jensen_shannon_distance(std::vector<double>{1, 1}, std::vector<double>{2, 0}), std::sqrt(js), 1e-12);
}

TEST(NelderMead, FindsQuadraticMinimum) {
  const auto r = fit::nelder_mead(
      [](const std::vector<double>& x) { return (x[0] - 3) * (x[0] - 3) + 10 * (x[1] + 1) * (x[1] + 1); }, {1.0, 1.0},
      1e-8, 1e-12, 2000, 4000);
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.x[0], 3.0, 1e-6);
  EXPECT_NEAR(r.x[1], -1.0, 1e-6);
}

namespace {

// Eigenvalues of W^T W / N of a Gaussian N x M matrix: Marchenko-Pastur with sigma = 1.
std::vector<double> gaussian_esd(int N, int M, unsigned seed, double spike = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0, 1);
  fixtures::TempDir dir;
  std::vector<double> w(static_cast<std::size_t>(N) * M);
  for (auto& x : w) x = g(rng);
  if (spike > 0)  // rank one: add spike * u v^T with unit u, v
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < M; ++j) w[static_cast<std::size_t>(i) * M + j] += spike * std::sqrt(double(N)) / std::sqrt(double(N) * M);
  fixtures::write_bytes(dir / "w.npy", fixtures::npy_image({N, M}, w, "<f8"));
  auto m = open_model(dir / "w.npy");
  AnalyzeOptions opt;
  auto recs = plan_layers(*m, opt);
  analyze_layers(*m, recs, opt);
  return recs[0].evals;
}

}  // namespace

TEST(MarchenkoPastur, GaussianMatrixHasUnitSigmaAndNoSpikes) {
  const auto e = gaussian_esd(1000, 500, 1);
  const auto f = fit_marchenko_pastur(e, 2.0, 500);
  ASSERT_TRUE(f.ok);
  EXPECT_NEAR(f.sigma_mp, 1.0, 0.03);  // mean-1 units: sigma of an i.i.d. matrix is 1
  EXPECT_EQ(f.num_spikes, 0);
  // Bulk edge in original units ~ N (1 + 1/sqrt(Q))^2 for unit-variance entries.
  EXPECT_NEAR(f.bulk_max / (1000.0 * std::pow(1 + 1 / std::sqrt(2.0), 2)), 1.0, 0.06);
  EXPECT_NEAR(f.mp_softrank, 1.0, 0.06);
}

TEST(MarchenkoPastur, RankOneSignalIsASpike) {
  // A rank-one signal of strength 3 (above the BBP threshold Q^(-1/4)) pops out of the bulk.
  const auto e = gaussian_esd(1000, 500, 2, 3.0);
  const auto f = fit_marchenko_pastur(e, 2.0, 500);
  ASSERT_TRUE(f.ok);
  EXPECT_EQ(f.num_spikes, 1);
}

TEST(CorrelationTrap, MeanShiftIsATrapAndGaussianIsNot) {
  // A rank-one mean makes a correlation trap (SETOL Sec. 3.3): Gaussian W (N = 1000, M = 500) is not flagged; W + c 1 1^T is.
  std::mt19937_64 rng(5);
  std::normal_distribution<double> g(0, 1);
  fixtures::TempDir dir;
  std::vector<double> w(1000 * 500);
  for (auto& x : w) x = g(rng);
  fixtures::write_bytes(dir / "a_plain.npy", fixtures::npy_image({1000, 500}, w, "<f8"));
  for (auto& x : w) x += 0.5;  // mean shift: half an entry standard deviation
  fixtures::write_bytes(dir / "b_shifted.npy", fixtures::npy_image({1000, 500}, w, "<f8"));
  auto m = open_model(dir.path());
  AnalyzeOptions opt;
  opt.randomize = true;
  auto recs = plan_layers(*m, opt);
  analyze_layers(*m, recs, opt);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].correlation_trap(), false);
  EXPECT_EQ(recs[0].randomized->mp.num_spikes, 0);
  EXPECT_EQ(recs[1].correlation_trap(), true);
  EXPECT_GE(recs[1].randomized->mp.num_spikes, 1);
  // A permutation keeps sum(lambda) = ||W||_F^2, so the rescaling is unchanged (up to the
  // single precision of the permuted eigensolve).
  const double ws = fit_marchenko_pastur(recs[1].evals, 2.0, 500).W_scale;
  EXPECT_NEAR(recs[1].randomized->mp.W_scale, ws, 1e-6 * ws);
}

TEST(Randomize, SeededAndIndependentPerLayer) {
  const std::string model = fixtures::data_dir() + "/corpus/mlp3-mnist10k-bs32-lr0.01/model.safetensors";
  auto run = [&](std::uint64_t seed, std::vector<std::string> layers) {
    auto m = open_model(model);
    AnalyzeOptions opt;
    opt.randomize = true;
    opt.seed = seed;
    opt.layers = std::move(layers);
    auto recs = plan_layers(*m, opt);
    analyze_layers(*m, recs, opt);
    return recs;
  };
  const auto a = run(7, {}), b = run(7, {}), c = run(8, {});
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].randomized->evals, b[i].randomized->evals);
    EXPECT_NE(a[i].randomized->evals, c[i].randomized->evals);
  }
  // The permutation of a layer does not depend on which other layers run (the eigensolve
  // may run with another BLAS thread count, so compare to single-precision rounding).
  const auto only = run(7, {"fc2.weight"});
  ASSERT_EQ(only.size(), 1u);
  ASSERT_EQ(only[0].randomized->evals.size(), a[1].randomized->evals.size());
  for (std::size_t k = 0; k < only[0].randomized->evals.size(); ++k)
    EXPECT_NEAR(only[0].randomized->evals[k], a[1].randomized->evals[k], 1e-5 * a[1].randomized->evals.back());
  // fc3 has 10 eigenvalues (< 100): 5 pooled replicas, as WeightWatcher.
  EXPECT_EQ(a[2].randomized->evals.size(), 50u);
  using pipeline::RandomStream;
  EXPECT_NE(pipeline::stream_seed(1, 2, 0, 0, RandomStream::Permutation),
            pipeline::stream_seed(1, 2, 0, 1, RandomStream::Permutation));
  EXPECT_NE(pipeline::stream_seed(1, 2, 0, 0, RandomStream::Permutation),
            pipeline::stream_seed(1, 2, 0, 0, RandomStream::HtmpBootstrap));
}
