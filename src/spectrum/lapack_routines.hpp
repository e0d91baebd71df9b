// Thin wrappers over the BLAS/LAPACK calls of the spectrum core (internal).
#pragma once
#include <vector>

namespace setol::spectrum {

constexpr long kMaxLapackDim = 46340;  // m*m must fit a 32-bit LAPACK index

// x (m x m, column-major, lower triangle) = beta * x + A A^T for A m x k column-major.
void gram_update(const double* a, int m, int k, double beta, std::vector<double>& x);

// Eigenvalues (ascending, clamped at 0) of the symmetric m x m matrix x (lower triangle
// used; x is destroyed). LAPACK dsyevd, values only.
std::vector<double> symmetric_eigenvalues(std::vector<double>& x, int m);

// Squared singular values (ascending) of the m x n column-major matrix a (destroyed). LAPACK dgesdd.
std::vector<double> squared_singular_values(std::vector<double>& a, int m, int n);

}  // namespace setol::spectrum
