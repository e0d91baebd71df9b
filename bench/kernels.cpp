// Google Benchmark of the per-layer kernels: Gram accumulation (panel sizes, layouts),
// the symmetric eigensolvers LAPACK offers (dsyevd, dsyevd_2stage, dsyevr) and Eigen's,
// the SVD route (dgesdd), the power-law fit, detX, the MP fit, HTMP and randomisation.
//   setol_bench_kernels [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <Eigen/Dense>
#include <memory>
#include <random>

#include "setol/htmp.hpp"
#include "setol/powerlaw.hpp"
#include "setol/rmt.hpp"
#include "setol/spectrum.hpp"
#include "gaussian_tensor.hpp"
#include "spectrum/gram.hpp"
#include "spectrum/lapack.hpp"
#include "spectrum/lapack_routines.hpp"

extern "C" {
void dsyevd_2stage_(const char*, const char*, const int*, double*, const int*, double*, double*, const int*, int*,
                    const int*, int*);
void dsyevr_(const char*, const char*, const char*, const int*, double*, const int*, const double*, const double*,
             const int*, const int*, const double*, int*, double*, double*, const int*, int*, double*, const int*, int*,
             const int*, int*);
}

using namespace setol;
using bench::gaussian_tensor;
using bench::view_of;

namespace {

std::vector<double> gram_of(std::int64_t m, std::int64_t n) {
  const auto t = gaussian_tensor(m, n);
  std::vector<double> x;
  spectrum::gram_matrix(t, view_of(t), 1.0, x);
  return x;
}

void BM_Gram(benchmark::State& st) {
  const auto t = gaussian_tensor(st.range(0), st.range(1));
  std::vector<double> x;
  for (auto _ : st) spectrum::gram_matrix(t, view_of(t), 1.0, x, st.range(2) << 20);
  st.counters["panel_MB"] = static_cast<double>(st.range(2));
}
BENCHMARK(BM_Gram)->Args({4096, 11008, 4})->Args({4096, 11008, 16})->Args({4096, 11008, 64})
    ->Args({11008, 4096, 4})->Args({11008, 4096, 16})->Args({11008, 4096, 64})
    ->Args({1024, 4096, 16})->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_Eig_dsyevd(benchmark::State& st) {
  const int m = static_cast<int>(st.range(0));
  const auto x0 = gram_of(m, 2 * m);
  for (auto _ : st) {
    auto x = x0;
    benchmark::DoNotOptimize(spectrum::symmetric_eigenvalues(x, m));
  }
}
BENCHMARK(BM_Eig_dsyevd)->Arg(1024)->Arg(2048)->Arg(4096)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_Eig_dsyevd_2stage(benchmark::State& st) {
  const int m = static_cast<int>(st.range(0));
  const auto x0 = gram_of(m, 2 * m);
  for (auto _ : st) {
    auto x = x0;
    std::vector<double> w(static_cast<std::size_t>(m));
    int info = 0, lwork = -1, liwork = -1, iwq = 0;
    double wq = 0;
    dsyevd_2stage_("N", "L", &m, x.data(), &m, w.data(), &wq, &lwork, &iwq, &liwork, &info);
    lwork = static_cast<int>(wq) + 1;
    liwork = iwq;
    std::vector<double> work(static_cast<std::size_t>(lwork));
    std::vector<int> iwork(static_cast<std::size_t>(liwork));
    dsyevd_2stage_("N", "L", &m, x.data(), &m, w.data(), work.data(), &lwork, iwork.data(), &liwork, &info);
    benchmark::DoNotOptimize(w);
  }
}
BENCHMARK(BM_Eig_dsyevd_2stage)->Arg(1024)->Arg(2048)->Arg(4096)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_Eig_dsyevr(benchmark::State& st) {
  const int m = static_cast<int>(st.range(0));
  const auto x0 = gram_of(m, 2 * m);
  for (auto _ : st) {
    auto x = x0;
    std::vector<double> w(static_cast<std::size_t>(m));
    std::vector<int> isuppz(2 * static_cast<std::size_t>(m));
    int info = 0, lwork = -1, liwork = -1, iwq = 0, found = 0, il = 0, iu = 0, one = 1;
    double wq = 0, vl = 0, vu = 0, tol = 0, z = 0;
    dsyevr_("N", "A", "L", &m, x.data(), &m, &vl, &vu, &il, &iu, &tol, &found, w.data(), &z, &one, isuppz.data(), &wq,
            &lwork, &iwq, &liwork, &info);
    lwork = static_cast<int>(wq) + 1;
    liwork = iwq;
    std::vector<double> work(static_cast<std::size_t>(lwork));
    std::vector<int> iwork(static_cast<std::size_t>(liwork));
    dsyevr_("N", "A", "L", &m, x.data(), &m, &vl, &vu, &il, &iu, &tol, &found, w.data(), &z, &one, isuppz.data(),
            work.data(), &lwork, iwork.data(), &liwork, &info);
    benchmark::DoNotOptimize(w);
  }
}
BENCHMARK(BM_Eig_dsyevr)->Arg(1024)->Arg(2048)->Arg(4096)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_Eig_Eigen(benchmark::State& st) {
  const int m = static_cast<int>(st.range(0));
  const auto x0 = gram_of(m, 2 * m);
  for (auto _ : st) {
    Eigen::Map<const Eigen::MatrixXd> x(x0.data(), m, m);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(x, Eigen::EigenvaluesOnly);
    benchmark::DoNotOptimize(es.eigenvalues());
  }
}
BENCHMARK(BM_Eig_Eigen)->Arg(1024)->Arg(2048)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_Svd_dgesdd(benchmark::State& st) {
  const auto t = gaussian_tensor(st.range(0), st.range(1));
  const int m = static_cast<int>(std::min(st.range(0), st.range(1))), n = static_cast<int>(std::max(st.range(0), st.range(1)));
  for (auto _ : st) {
    std::vector<double> a(static_cast<std::size_t>(m) * n);
    const float* f = reinterpret_cast<const float*>(t.bytes());
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = f[i];
    benchmark::DoNotOptimize(spectrum::squared_singular_values(a, m, n));
  }
}
BENCHMARK(BM_Svd_dgesdd)->Args({1024, 1024})->Args({1024, 4096})->Args({4096, 4096})->Unit(benchmark::kMillisecond)->Iterations(2);

std::vector<double> esd(std::int64_t n, double kappa) { return htmp::sample(n, 0.5, kappa, 7); }

void BM_PowerLawFit(benchmark::State& st) {
  const auto e = esd(st.range(0), st.range(1) == 0 ? 1e4 : 1.0);  // 0: MP-like, 1: heavy tailed
  for (auto _ : st) benchmark::DoNotOptimize(fit_power_law(e));
}
BENCHMARK(BM_PowerLawFit)->Args({4096, 0})->Args({4096, 1})->Args({15000, 0})->Args({15000, 1})->Unit(benchmark::kMillisecond);

void BM_DetX(benchmark::State& st) {
  const auto e = esd(st.range(0), 1.0);
  for (auto _ : st) benchmark::DoNotOptimize(detx_condition(e));
}
BENCHMARK(BM_DetX)->Arg(4096)->Arg(15000)->Unit(benchmark::kMicrosecond);

void BM_MpFit(benchmark::State& st) {
  const auto e = esd(st.range(0), 1e4);
  for (auto _ : st) benchmark::DoNotOptimize(fit_marchenko_pastur(e, 2.0, st.range(0)));
}
BENCHMARK(BM_MpFit)->Arg(4096)->Arg(15000)->Unit(benchmark::kMillisecond);

void BM_HtmpFit(benchmark::State& st) {
  const auto e = esd(st.range(0), 2.0);
  for (auto _ : st) benchmark::DoNotOptimize(htmp::fit(e, 0.5, 1));
}
BENCHMARK(BM_HtmpFit)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_Randomize(benchmark::State& st) {
  const auto t = gaussian_tensor(st.range(0), st.range(1));
  for (auto _ : st) benchmark::DoNotOptimize(permuted_eigenvalues(t, view_of(t), 1.0, 42));
}
BENCHMARK(BM_Randomize)->Args({1024, 4096})->Args({4096, 4096})->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace

BENCHMARK_MAIN();
