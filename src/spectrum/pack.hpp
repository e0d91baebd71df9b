// Packing a strided, possibly half-precision or big-endian matrix into a double buffer,
// with the WeightWatcher conv scaling applied (internal).
#pragma once
#include <cstdint>

#include "setol/layer.hpp"
#include "setol/tensor.hpp"

namespace setol::spectrum {

// The packed matrix A is m x n (m = min(rows, cols)) so that A A^T is the min-side Gram
// matrix. A panel is columns [c0, c0 + width) of A, written either as an m x width
// column-major block (transposed = false) or as its transpose, width x m column-major
// (transposed = true). The caller picks the layout whose reads are contiguous in the
// tensor. Returns false if a non-finite value was seen.
bool pack_panel(const TensorData& t, const MatrixView& v, double scale, std::int64_t c0, std::int64_t width,
                double* dst, bool transposed);

// True if A's columns (the long dimension) run along contiguous memory, so that transposed
// panels read contiguously.
bool long_side_contiguous(const MatrixView& v);

}  // namespace setol::spectrum
