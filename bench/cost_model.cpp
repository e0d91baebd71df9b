// The per-layer cost model of docs/scale.md: times the three stages of one layer on one core
// (the Gram A A^T by panels, the eigensolve dsyevd, the tail fit) for several shapes, fits
// t_gram = a m^2 n, t_eig = b m^3 and t_fit = c m (m = min dimension), and from them predicts
// the wall time of Llama-2-shaped checkpoints on 1, 8 and 64 nodes of 2, 16 and 64 cores, and
// of the LLM-shaped benchmark checkpoint of bench/run.sh (to be checked against its measured
// figures).
//   setol_bench_cost_model [--quick]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "setol/powerlaw.hpp"
#include "setol/spectrum.hpp"
#include "gaussian_tensor.hpp"
#include "spectrum/gram.hpp"
#include "spectrum/lapack_routines.hpp"

using namespace setol;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }


struct Stage {
  double gram, eig, fit;
};

Stage time_layer(std::int64_t m, std::int64_t n) {
  const auto t = bench::gaussian_tensor(m, n);
  const MatrixView v = bench::view_of(t);
  std::vector<double> x;
  double t0 = now();
  spectrum::gram_matrix(t, v, 1.0, x);
  const double gram = now() - t0;
  t0 = now();
  const auto evals = spectrum::symmetric_eigenvalues(x, static_cast<int>(m));
  const double eig = now() - t0;
  t0 = now();
  (void)fit_tail(evals, TailFitOptions{});
  return {gram, eig, now() - t0};
}

// A weight matrix shape and how many of it a checkpoint has.
struct Shape {
  std::int64_t rows, cols, count;
};
struct Model {
  const char* name;
  std::vector<Shape> shapes;
};

Model llama(const char* name, int layers, std::int64_t d, std::int64_t inter, std::int64_t kv, std::int64_t vocab) {
  return {name, {{d, d, 2 * layers}, {kv, d, 2 * layers}, {inter, d, 3 * layers}, {vocab, d, 2}}};
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  set_blas_threads(1);
  std::vector<std::pair<std::int64_t, std::int64_t>> sizes = {{512, 2048}, {1024, 1024}, {1024, 4096}, {2048, 2048},
                                                              {2048, 5632}};
  if (!quick) sizes.push_back({4096, 4096});
  std::printf("| m | n | Gram s | dsyevd s | fit s | Gram / m^2 n (ns) | dsyevd / m^3 (ns) | fit / m (us) |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  std::vector<double> a, b, c;
  for (const auto& [m, n] : sizes) {
    const Stage s = time_layer(m, n);
    const double md = static_cast<double>(m), nd = static_cast<double>(n);
    a.push_back(s.gram / (md * md * nd));
    b.push_back(s.eig / (md * md * md));
    c.push_back(s.fit / md);
    std::printf("| %lld | %lld | %.3f | %.3f | %.4f | %.3f | %.3f | %.2f |\n", static_cast<long long>(m),
                static_cast<long long>(n), s.gram, s.eig, s.fit, a.back() * 1e9, b.back() * 1e9, c.back() * 1e6);
  }
  // The largest shapes carry the most weight: use the median of the ratios of the three largest.
  auto coef = [](std::vector<double> v) {
    std::vector<double> top(v.end() - 3, v.end());
    std::sort(top.begin(), top.end());
    return top[1];
  };
  const double ka = coef(a), kb = coef(b), kc = coef(c);
  std::printf("\nmodel: t = %.3g m^2 n + %.3g m^3 + %.3g m seconds per layer on one core\n\n", ka, kb, kc);
  auto layer_s = [&](const Shape& s) {
    const double m = static_cast<double>(std::min(s.rows, s.cols)), n = static_cast<double>(std::max(s.rows, s.cols));
    return ka * m * m * n + kb * m * m * m + kc * m;
  };

  const std::vector<Model> models = {
      {"LLM-shaped benchmark (bench/run.sh)", {{2048, 2048, 32}, {5632, 2048, 24}}},
      llama("Llama-2-7B", 32, 4096, 11008, 4096, 32000),
      llama("Llama-2-13B", 40, 5120, 13824, 5120, 32000),
      llama("Llama-2-70B", 80, 8192, 28672, 1024, 32000),
  };
  std::printf("| checkpoint | matrices | bf16 GB | work (core-h) | largest layer (s) |");
  const int nodes[] = {1, 8, 64}, cores[] = {2, 16, 64};
  for (int nd : nodes)
    for (int cr : cores) std::printf(" %dx%d |", nd, cr);
  std::printf("\n|---|---|---|---|---|");
  for (int i = 0; i < 9; ++i) std::printf("---|");
  std::printf("\n");
  for (const auto& model : models) {
    double work = 0, largest = 0, bytes = 0;
    long long count = 0;
    for (const auto& s : model.shapes) {
      work += layer_s(s) * static_cast<double>(s.count);
      largest = std::max(largest, layer_s(s));
      bytes += 2.0 * static_cast<double>(s.rows * s.cols * s.count);
      count += s.count;
    }
    std::printf("| %s | %lld | %.1f | %.2f | %.1f |", model.name, count, bytes / 1e9, work / 3600, largest);
    for (int nd : nodes)
      for (int cr : cores) {
        // Layers dealt longest first to P = nodes x cores single-threaded workers: the wall time
        // is at least the work over P and at least the largest layer (LPT stays within 4/3 of
        // the optimum); reading the weights once from shared storage at 1 GB/s a node overlaps.
        const double p = static_cast<double>(nd) * cr;
        const double wall = std::max({work / p, largest, bytes / 1e9 / nd});
        if (wall >= 3600) std::printf(" %.1f h |", wall / 3600);
        else if (wall >= 60) std::printf(" %.1f min |", wall / 60);
        else std::printf(" %.0f s |", wall);
      }
    std::printf("\n");
  }
  return 0;
}
