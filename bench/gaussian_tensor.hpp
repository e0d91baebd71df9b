// Synthetic layers for the benchmark programs.
#pragma once
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "setol/layer.hpp"
#include "setol/tensor.hpp"

namespace setol::bench {

// A float32 rows x cols tensor of N(0, 0.02^2) entries, kept alive for the whole run.
inline TensorData gaussian_tensor(std::int64_t rows, std::int64_t cols, std::uint64_t seed = 1) {
  auto buf = std::make_shared<std::vector<float>>(static_cast<std::size_t>(rows * cols));
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 0.02f);
  for (auto& x : *buf) x = g(rng);
  TensorInfo info;
  info.name = "w";
  info.shape = {rows, cols};
  info.dtype = DType::F32;
  return TensorData(info, reinterpret_cast<const std::byte*>(buf->data()), buf);
}

// The whole tensor as one row-major matrix.
inline MatrixView view_of(const TensorData& t) {
  return {0, t.info().shape[0], t.info().shape[1], t.info().shape[1], 1};
}

}  // namespace setol::bench
