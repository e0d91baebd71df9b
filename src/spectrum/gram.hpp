// The min-side Gram matrix of one matrix view, accumulated panel by panel (internal).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "setol/layer.hpp"
#include "setol/tensor.hpp"

namespace setol::spectrum {

// Packs the m x n matrix A of `v` (scaled by `scale`) panel after panel, as pack_panel does,
// and hands each panel, columns [c0, c0 + k), to `use`. Panels are `panel_bytes` of doubles;
// 0 means the default: a sixteenth of the Gram matrix, between 1 and 16 MB, large enough for
// dsyrk to run at full speed and small beside the Gram (docs/performance.md). Returns false
// if a value was not finite.
bool for_each_panel(const TensorData& t, const MatrixView& v, double scale, bool transposed,
                    std::int64_t panel_bytes,
                    const std::function<void(const double* panel, std::int64_t c0, int k)>& use);

// x = A A^T (m x m, lower triangle, column-major) for the packed m x n matrix A of `v`
// scaled by `scale`. Source pages that will not be read again are released as the panels
// advance, so at most about one panel of a memory-mapped tensor stays resident.
// Returns false if a value was not finite.
bool gram_matrix(const TensorData& t, const MatrixView& v, double scale, std::vector<double>& x,
                 std::int64_t panel_bytes = 0);

// Single-precision variant: x (float) = A A^T, accumulated with ssyrk.
bool gram_matrix_f32(const TensorData& t, const MatrixView& v, double scale, std::vector<float>& x);

}  // namespace setol::spectrum
