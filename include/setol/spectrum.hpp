// The spectrum core: eigenvalues of X = W^T W (the min-side Gram matrix) of each
// matrix of a layer, in double precision, pooled for convolutions (WeightWatcher.combined_eigenvalues).
#pragma once
#include <cstdint>
#include <vector>

#include "setol/layer.hpp"
#include "setol/tensor.hpp"

namespace setol {

// Eigenvalues of one matrix (ascending, >= 0) and the per-slice numbers WeightWatcher keeps.
struct SliceSpectrum {
  std::vector<double> evals;
  bool finite = true;          // false if the matrix had a NaN or Inf
  bool used_svd = false;       // true if the Gram route was not accurate enough (see slice_eigenvalues.cpp)
  bool used_qr = false;        // ... and its smallest eigenvalues came from the QR route instead (near_null.cpp)
};

// Computes the eigenvalues of the min-side Gram matrix of `view` after multiplying every
// element by `scale`. For non-f64 data the product is rounded to float32, as WeightWatcher
// multiplies its float32 arrays (WWLayer.set_weight_matrices). Eigenvalues below zero from rounding are
// clamped to 0.
SliceSpectrum slice_eigenvalues(const TensorData& t, const MatrixView& view, double scale);

// The same in single precision (ssyrk + ssyevd, no SVD fallback): --precision f32. About
// 1.8x faster on large layers; eigenvalues carry ~1e-7 x lambda_max absolute error, so rank
// counts are not exact and tiny eigenvalues are noise (docs/performance.md).
SliceSpectrum slice_eigenvalues_f32(const TensorData& t, const MatrixView& view, double scale);

// The `rank` non-zero eigenvalues (ascending) of X = W^T W for W = scale * left * right,
// from the factors alone (QR of both, SVD of the rank x rank core): O((rows + cols) rank^2)
// instead of the O(rows cols min(rows, cols)) of the dense route.
SliceSpectrum low_rank_eigenvalues(const LowRankFactors& f);

// Eigenvalues (ascending) of the min-side Gram matrix of `view` (scaled as above) after a
// uniformly random permutation of all its elements (WeightWatcher.apply_random_esd). The permutation is a
// Fisher-Yates shuffle driven by std::mt19937_64 seeded with `seed`, so the result is
// the same on every platform. Computed in single precision (a random draw needs no more).
std::vector<double> permuted_eigenvalues(const TensorData& t, const MatrixView& view, double scale,
                                         std::uint64_t seed);

// Everything the metrics need from one layer (or one slice with pool = false).
struct LayerSpectrum {
  std::vector<double> evals;  // ascending, pooled over slices
  double sv_max = 0;          // max singular value over slices
  double sv_min = 0;          // as WeightWatcher.combined_eigenvalues: max over slices of each slice's min singular value
  std::int64_t rank_loss = 0; // sum over slices of #sigma <= sigma_max * N * eps (WeightWatcher.combined_eigenvalues)
  bool finite = true;
  int svd_slices = 0;
};

// Pools slices: eigenvalues concatenated and sorted, rank statistics per slice.
// `N` is the layer's N, used by the rank tolerance.
LayerSpectrum pool_slices(std::vector<SliceSpectrum> slices, std::int64_t N);

// Eigenvalues (ascending) of the symmetric tridiagonal matrix with this diagonal and
// off-diagonal (LAPACK dsterf). Throws std::runtime_error if LAPACK fails.
std::vector<double> tridiagonal_eigenvalues(std::vector<double> diag, std::vector<double> off);

// Threads used by BLAS/LAPACK inside one eigensolve.
void set_blas_threads(int n);

}  // namespace setol
