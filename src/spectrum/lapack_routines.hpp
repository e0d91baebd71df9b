// Thin wrappers over the BLAS/LAPACK calls of the spectrum core (internal).
#pragma once
#include <vector>

namespace setol::spectrum {

constexpr long kMaxLapackDim = 46340;  // m*m must fit a 32-bit LAPACK index

// x (m x m, column-major, lower triangle) = beta * x + A A^T for A m x k column-major,
// or beta * x + B^T B for B = A^T stored k x m column-major (transposed = true).
void gram_update(const double* a, int m, int k, double beta, std::vector<double>& x, bool transposed = false);

// Eigenvalues (ascending, clamped at 0) of the symmetric m x m matrix x (lower triangle
// used; x is destroyed). LAPACK dsyevd, values only.
std::vector<double> symmetric_eigenvalues(std::vector<double>& x, int m);

// The single-precision counterparts of gram_update and symmetric_eigenvalues (ssyrk, ssyevd).
void gram_update_f32(const float* a, int m, int k, float beta, std::vector<float>& x, bool transposed);
std::vector<double> symmetric_eigenvalues_f32(std::vector<float>& x, int m);

// Eigenvalues (ascending, clamped at 0) of A A^T in single precision (ssyrk + ssyevd) for
// A m x k column-major (destroyed). For spectra whose values are statistical (randomised).
std::vector<double> gram_eigenvalues_f32(std::vector<float>& a, int m, int k);

// Thin SVD of the m x n column-major matrix a (destroyed), m >= n: singular values descending,
// u (m x n) and vt (n x n). dgesdd.
void thin_svd(std::vector<double>& a, int m, int n, std::vector<double>& s, std::vector<double>& u, std::vector<double>& vt);

// Squared singular values (ascending) of the m x n column-major matrix a (destroyed). LAPACK dgesdd.
std::vector<double> squared_singular_values(std::vector<double>& a, int m, int n);

}  // namespace setol::spectrum
