// Eigenvalues of one matrix. Route: the Gram matrix X = A A^T (A is the packed
// m x n matrix, m = min dim) accumulated panel by panel with BLAS dsyrk from the
// tensor's own storage, then LAPACK dsyevd (values only). This is ~2x faster than an
// SVD of W and needs only the m x m Gram plus one panel in double.
//
// Accuracy: Gram eigenvalues have absolute error ~ m * eps * lambda_max, far inside
// the 1e-9 * lambda_max parity target, but they cannot resolve singular values below
// ~1e-7 * sigma_max. WeightWatcher's rank counts (rank_loss, matrix_rank) look at
// sigma/sigma_max near N * eps, so when the Gram spectrum reaches down to its rounding
// floor the slice is recomputed by an SVD of A (dgesdd),
// as WeightWatcher does for every matrix (threshold: gram_resolution below) -- first by the
// much cheaper QR route of near_null.cpp for the eigenvalues under that floor, then, if it
// does not converge, by dgesdd.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "setol/spectrum.hpp"
#include "spectrum/gram.hpp"
#include "spectrum/lapack.hpp"
#include "spectrum/lapack_routines.hpp"
#include "spectrum/near_null.hpp"
#include "spectrum/pack.hpp"

namespace setol {
namespace {
// The Gram route resolves eigenvalues down to its rounding floor, ~ m eps lambda_max. If the
// smallest one is 10x above that, every true singular value is far above WeightWatcher's
// rank tolerance sigma_max N eps, so the rank counts are exact; otherwise the SVD decides.
double gram_resolution(std::int64_t m) { return 10.0 * static_cast<double>(m) * 2.220446049250313e-16; }
}  // namespace

SliceSpectrum slice_eigenvalues(const TensorData& t, const MatrixView& v, double scale) {
  SliceSpectrum out;
  const std::int64_t m64 = std::min(v.rows, v.cols);
  const std::int64_t n64 = std::max(v.rows, v.cols);
  if (m64 == 0) return out;
  if (m64 > spectrum::kMaxLapackDim)
    throw std::runtime_error("matrix too large for 32-bit LAPACK (min dimension " + std::to_string(m64) + ")");
  const int m = static_cast<int>(m64);
  std::vector<double> x;
  if (!spectrum::gram_matrix(t, v, scale, x)) {
    out.finite = false;
    return out;
  }
  out.evals = spectrum::symmetric_eigenvalues(x, m);
  x = {};
  const bool fits_int = m64 * n64 < (std::int64_t{1} << 31);
  const double floor = gram_resolution(m64) * out.evals.back();
  if (out.evals.front() <= floor && out.evals.back() > 0 && fits_int) {
    const auto k = static_cast<int>(std::upper_bound(out.evals.begin(), out.evals.end(), floor) - out.evals.begin());
    std::vector<double> triangle;  // R of A^T = Q R, when the QR route computed it
    if (2 * k <= m) {
      // The Gram's eigenvalues above the floor are within ~floor / 10 of the true ones.
      const double gap = out.evals[static_cast<std::size_t>(k)] - floor;
      if (auto small =
              spectrum::smallest_squared_singular_values(t, v, scale, k, std::sqrt(out.evals.back()), gap, triangle)) {
        std::copy(small->begin(), small->end(), out.evals.begin());
        std::sort(out.evals.begin(), out.evals.end());
        out.used_qr = true;
        return out;
      }
    }
    if (!triangle.empty()) {  // R (m x m) has A's singular values: dgesdd skips its own QR of A
      out.evals = spectrum::squared_singular_values(triangle, m, m);
    } else {
      std::vector<double> a(static_cast<std::size_t>(m64 * n64));
      spectrum::pack_panel(t, v, scale, 0, n64, a.data(), false);
      out.evals = spectrum::squared_singular_values(a, m, static_cast<int>(n64));
    }
    out.used_svd = true;
  }
  return out;
}

SliceSpectrum slice_eigenvalues_f32(const TensorData& t, const MatrixView& v, double scale) {
  SliceSpectrum out;
  const std::int64_t m64 = std::min(v.rows, v.cols);
  if (m64 == 0) return out;
  if (m64 > spectrum::kMaxLapackDim)
    throw std::runtime_error("matrix too large for 32-bit LAPACK (min dimension " + std::to_string(m64) + ")");
  std::vector<float> x;
  if (!spectrum::gram_matrix_f32(t, v, scale, x)) {
    out.finite = false;
    return out;
  }
  out.evals = spectrum::symmetric_eigenvalues_f32(x, static_cast<int>(m64));
  return out;
}

void set_blas_threads(int n) { openblas_set_num_threads(std::max(1, n)); }

}  // namespace setol
