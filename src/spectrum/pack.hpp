// Packing a strided, possibly half-precision or big-endian matrix into a
// column-major double buffer, with the WeightWatcher conv scaling applied.
#pragma once
#include <cstdint>

#include "setol/layer.hpp"
#include "setol/tensor.hpp"

namespace setol::spectrum {

// The packed matrix A is m x n (m = min(rows, cols)) so that A * A^T is the min-side Gram
// matrix. pack_columns writes columns [c0, c0 + width) of A into `dst` (leading dim m).
// Returns false if a non-finite value was seen.
bool pack_columns(const TensorData& t, const MatrixView& v, double scale, std::int64_t c0, std::int64_t width,
                  double* dst);

}  // namespace setol::spectrum
