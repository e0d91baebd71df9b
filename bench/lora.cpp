// LoRA products: the eigenvalues of (s B A)^T (s B A) for a rank-r adapter of a 4096 x 4096
// layer by three routes, timed side by side (docs/performance.md, "LoRA products"):
//   qr-core  what setol uses: QR of B and A^T, SVD of the r x r core (setol::low_rank_eigenvalues);
//   spectra  Spectra's Lanczos solver (SymEigsSolver) for the top r, matrix-free x -> A^T B^T B A x;
//   dense    the product formed and the generic route (Gram + LAPACK eigensolve of all 4096).
// Prints the time of each and the largest relative difference of the top r eigenvalues.
#include <Spectra/SymEigsSolver.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "setol/layer.hpp"
#include "setol/spectrum.hpp"

using setol::LowRankFactors;

namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct GramOp {  // y = (s B A)^T (s B A) x, never forming the product
  using Scalar = double;
  const RowMat& B;
  const RowMat& A;
  double s;
  Eigen::Index rows() const { return A.cols(); }
  Eigen::Index cols() const { return A.cols(); }
  void perform_op(const double* x, double* y) const {
    const Eigen::Map<const Eigen::VectorXd> in(x, A.cols());
    Eigen::Map<Eigen::VectorXd> out(y, A.cols());
    out = (s * s) * (A.transpose() * (B.transpose() * (B * (A * in))));
  }
};

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double max_rel(std::vector<double> a, std::vector<double> b) {
  std::sort(a.rbegin(), a.rend());
  std::sort(b.rbegin(), b.rend());
  double m = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::abs(a[i] - b[i]) / a[0]);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 4096;
  std::printf("%-6s %-8s %10s %14s\n", "rank", "route", "seconds", "max rel diff");
  for (const int r : {16, 64}) {
    std::mt19937_64 rng(42);
    std::normal_distribution<double> g(0, 0.02);
    LowRankFactors f;
    f.rows = f.cols = n;
    f.rank = r;
    f.scale = 2.0;
    f.left.resize(static_cast<std::size_t>(n) * r);
    f.right.resize(static_cast<std::size_t>(n) * r);
    for (auto& x : f.left) x = g(rng);
    for (auto& x : f.right) x = g(rng);
    const Eigen::Map<const RowMat> B(f.left.data(), n, r), A(f.right.data(), r, n);
    const RowMat Bm = B, Am = A;

    auto t0 = std::chrono::steady_clock::now();
    const auto qr = setol::low_rank_eigenvalues(f).evals;
    const double t_qr = seconds(t0);

    t0 = std::chrono::steady_clock::now();
    GramOp op{Bm, Am, f.scale};
    Spectra::SymEigsSolver<GramOp> eigs(op, r, std::min<Eigen::Index>(n, 2 * r + 1));
    eigs.init();
    eigs.compute(Spectra::SortRule::LargestAlge, 1000, 1e-12);
    const Eigen::VectorXd ev = eigs.eigenvalues();
    const std::vector<double> sp(ev.data(), ev.data() + ev.size());
    const double t_sp = seconds(t0);

    t0 = std::chrono::steady_clock::now();
    std::vector<double> dense(static_cast<std::size_t>(n) * n);
    Eigen::Map<RowMat>(dense.data(), n, n) = f.scale * (Bm * Am);
    setol::TensorInfo info;
    info.shape = {n, n};
    info.dtype = setol::DType::F64;
    const setol::TensorData t(info, reinterpret_cast<const std::byte*>(dense.data()), nullptr);
    const auto geo = setol::classify_tensor(info);
    const auto full = setol::slice_eigenvalues(t, setol::layer_matrices(info, geo, t.strides()).at(0), 1.0).evals;
    const double t_dense = seconds(t0);

    std::printf("%-6d %-8s %10.4f %14s\n", r, "qr-core", t_qr, "-");
    std::printf("%-6d %-8s %10.4f %14.2e\n", r, "spectra", t_sp, max_rel(qr, sp));
    std::printf("%-6d %-8s %10.4f %14.2e\n", r, "dense", t_dense, max_rel(qr, full));
  }
}
