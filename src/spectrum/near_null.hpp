// The smallest singular values of a matrix, to an SVD's accuracy, without an SVD (internal).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "setol/layer.hpp"
#include "setol/tensor.hpp"

namespace setol::spectrum {

// The k smallest squared singular values (ascending) of the view's m x n matrix A (m <= n,
// elements times `scale`), with absolute error ~ eps sigma_max as dgesdd's, or nothing when
// its accuracy cannot be proved (the caller then runs the full SVD). sigma_max: A's largest
// singular value; gap: a lower bound of the (k+1)-th smallest squared singular value (both from
// the Gram). When nothing is returned, `triangle` receives the m x m triangular factor R of
// A^T = Q R (column-major) if the QR route computed it: it has A's singular values, and the
// caller's full SVD can start from it instead of from A.
std::optional<std::vector<double>> smallest_squared_singular_values(const TensorData& t, const MatrixView& v,
                                                                   double scale, int k, double sigma_max, double gap,
                                                                   std::vector<double>& triangle);

}  // namespace setol::spectrum
