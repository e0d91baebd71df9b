// What a tensor is to the analysis: a weight layer (Dense, Embedding, Conv1D,
// Conv2D) cut into one or more matrices, or something that is not analyzed.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "setol/tensor.hpp"

namespace setol {

enum class LayerType { Dense, Embedding, Conv1D, Conv2D, NotALayer };
std::string_view layer_type_name(LayerType t);  // WeightWatcher's strings: "dense", "conv2d", ...

// A 2-D view into a tensor's elements: element (r, c) is at offset + r*row_stride + c*col_stride.
struct MatrixView {
  std::int64_t offset = 0;
  std::int64_t rows = 0, cols = 0;
  std::int64_t row_stride = 0, col_stride = 0;
};

struct LayerGeometry {
  LayerType type = LayerType::NotALayer;
  std::string role;           // for non-layers: "bias", "norm", "1-D", "non-float", ...
  std::int64_t N = 0, M = 0;  // per-matrix max and min dimension (ww-spec §4.1, with N >= M always)
  std::int64_t rf = 1;        // receptive field kh*kw (1 for dense)
  std::int64_t kh = 1, kw = 1;
};

// Decides from shape, dtype, name and layout what a tensor is.
// 2-D float -> Dense (Embedding when the name says so); 4-D -> Conv2D; 3-D (out, in, k)
// -> Conv1D treated like a (out, in, 1, k) Conv2D; names of biases and normalisation
// parameters, 1-D and non-float tensors are not layers.
LayerGeometry classify_tensor(const TensorInfo& t);

// The kh*kw matrices of a layer (one for Dense), in WeightWatcher's slice order
// (i over kh outer, j over kw inner). Strides are those of `strides` (TensorData::strides()).
std::vector<MatrixView> layer_matrices(const TensorInfo& t, const LayerGeometry& g,
                                       const std::vector<std::int64_t>& strides);

}  // namespace setol
