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
  std::int64_t N = 0, M = 0;  // per-matrix max and min dimension (N >= M always)
  std::int64_t rf = 1;        // receptive field kh*kw (1 for dense)
  std::int64_t kh = 1, kw = 1;

  bool is_conv() const { return type == LayerType::Conv2D || type == LayerType::Conv1D; }
  // Rows the layer gives: 1, or kh*kw slices of a convolution analyzed unpooled.
  std::int64_t slices(bool pooled) const { return is_conv() && !pooled ? rf : 1; }
  // Eigenvalues of one row: M*rf pooled, M per slice.
  std::int64_t num_evals(bool pooled) const { return is_conv() && !pooled ? M : M * rf; }
  // WeightWatcher's Conv2D rescaling (conv2d_norm in WWLayer.set_weight_matrices): every
  // slice is multiplied by sqrt(c/2), c = 1 pooled and c = kh*kw per slice, so pooled
  // eigenvalues are halved and unpooled ones multiplied by kh*kw/2. Dense layers: 1.
  double conv_scale(bool pooled) const;
};

// Decides from shape, dtype, name and layout what a tensor is (analysis policy, in
// src/pipeline/layer_typing.cpp).
// 2-D float -> Dense (Embedding when the name says so); 4-D -> Conv2D; 3-D (out, in, k)
// -> Conv1D treated like a (out, in, 1, k) Conv2D; names of biases and normalisation
// parameters, 1-D and non-float tensors are not layers.
LayerGeometry classify_tensor(const TensorInfo& t);

// The kh*kw matrices of a layer (one for Dense), in WeightWatcher's slice order
// (i over kh outer, j over kw inner). Strides are those of `strides` (TensorData::strides()).
std::vector<MatrixView> layer_matrices(const TensorInfo& t, const LayerGeometry& g,
                                       const std::vector<std::int64_t>& strides);

}  // namespace setol
