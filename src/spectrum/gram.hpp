// The min-side Gram matrix of one matrix view, accumulated panel by panel (internal).
#pragma once
#include <cstdint>
#include <vector>

#include "setol/layer.hpp"
#include "setol/tensor.hpp"

namespace setol::spectrum {

// Panel size: a sixteenth of the Gram matrix, between 1 and 16 MB: large enough for dsyrk to
// run at full speed, small enough to be a fraction of the memory the Gram needs anyway
// (see docs/performance.md).
std::int64_t panel_bytes_for(std::int64_t m);

// x = A A^T (m x m, lower triangle, column-major) for the packed m x n matrix A of `v`
// scaled by `scale`. Source pages that will not be read again are released as the panels
// advance, so at most about one panel of a memory-mapped tensor stays resident.
// Returns false if a value was not finite.
bool gram_matrix(const TensorData& t, const MatrixView& v, double scale, std::vector<double>& x,
                 std::int64_t panel_bytes = 0);

// Single-precision variant: x (float) = A A^T, accumulated with ssyrk.
bool gram_matrix_f32(const TensorData& t, const MatrixView& v, double scale, std::vector<float>& x);

}  // namespace setol::spectrum
