// The min-side Gram matrix of one matrix view, accumulated panel by panel (internal).
#pragma once
#include <cstdint>
#include <vector>

#include "setol/layer.hpp"
#include "setol/tensor.hpp"

namespace setol::spectrum {

// Panel size: large enough for dsyrk to run at full speed, small enough that the double
// copy of a panel is a fraction of the Gram matrix (see docs/performance.md).
constexpr std::int64_t kPanelBytes = std::int64_t{16} << 20;

// x = A A^T (m x m, lower triangle, column-major) for the packed m x n matrix A of `v`
// scaled by `scale`. Returns false if a value was not finite.
bool gram_matrix(const TensorData& t, const MatrixView& v, double scale, std::vector<double>& x,
                 std::int64_t panel_bytes = kPanelBytes);

}  // namespace setol::spectrum
