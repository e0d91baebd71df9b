// Tensors as the loaders hand them over: a description (TensorInfo) that is
// cheap to list, and the elements (TensorData), read one tensor at a time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace setol {

// Element types. Besides the IEEE types: FP8 (OCP E4M3FN and E5M2); ggml's block-quantized
// types (GGUF), each a block of `dtype_block(t).elems` elements in `dtype_block(t).bytes` bytes;
// Unsupported: a float type setol cannot decode and Integer: integers without a known scale
// (both reported as skipped rows); Other: booleans, strings (not analyzed).
enum class DType { F16, BF16, F32, F64, F8_E4M3, F8_E5M2, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K,
                   Q6_K, IQ4_NL, Unsupported, Integer, Other };

// Axis convention of a weight as stored. Torch: dense (out, in), conv (out, in, kh, kw).
// Keras: dense (in, out), conv (kh, kw, in, out). Singular values do not depend on it;
// it only decides how a convolution kernel is cut into kh*kw matrices.
enum class Layout { Torch, Keras };

std::string_view dtype_name(DType t);
std::size_t dtype_size(DType t);  // bytes per element; 0 for block types, Unsupported and Other
struct DTypeBlock {
  std::size_t elems = 1, bytes = 0;  // a block of `elems` elements takes `bytes` bytes
};
// ggml's block sizes (GGML_QUANT_SIZES) for the quantized types.
constexpr DTypeBlock dtype_block(DType t) {
  switch (t) {
    case DType::F8_E4M3: case DType::F8_E5M2: return {1, 1};
    case DType::F16: case DType::BF16: return {1, 2};
    case DType::F32: return {1, 4};
    case DType::F64: return {1, 8};
    case DType::Q4_0: case DType::IQ4_NL: return {32, 18};
    case DType::Q4_1: return {32, 20};
    case DType::Q5_0: return {32, 22};
    case DType::Q5_1: return {32, 24};
    case DType::Q8_0: return {32, 34};
    case DType::Q2_K: return {256, 84};
    case DType::Q3_K: return {256, 110};
    case DType::Q4_K: return {256, 144};
    case DType::Q5_K: return {256, 176};
    case DType::Q6_K: return {256, 210};
    case DType::Unsupported: case DType::Integer: case DType::Other: break;
  }
  return {1, 0};
}

struct TensorInfo {
  std::string name;             // name in the file (safetensors key, npy stem, HDF5 path or Keras layer)
  std::vector<std::int64_t> shape;
  DType dtype = DType::Other;
  std::string dtype_text;       // dtype as the file spells it, for describe (e.g. "<f4", "BF16", "I64")
  bool big_endian = false;
  bool fortran_order = false;   // .npy only: column-major storage
  std::vector<std::int64_t> strides;  // element strides of a view (PyTorch); empty: C or Fortran order
  std::string role;             // set by a reader for tensors that are not weights (e.g. "scale")
  Layout layout = Layout::Torch;
  std::string source;           // the file the tensor lives in
  std::int64_t rank = 0;        // > 0: a product of rank-`rank` factors (LoRA): the ESD has `rank` eigenvalues

  std::int64_t numel() const;
};

// A tensor built as scale * left * right from two factors (a LoRA update B*A): rows x rank and
// rank x cols, row-major doubles. Its ESD has only `rank` non-zero eigenvalues, which the
// spectrum stage takes from the small factors instead of the dense product.
struct LowRankFactors {
  std::int64_t rows = 0, cols = 0, rank = 0;
  std::vector<double> left, right;
  double scale = 1;
};

// The elements of one tensor, memory-mapped or owned; `keepalive` holds the mapping.
class TensorData {
 public:
  TensorData(TensorInfo info, const std::byte* data, std::shared_ptr<const void> keepalive, bool mapped = false)
      : info_(std::move(info)), data_(data), keepalive_(std::move(keepalive)), mapped_(mapped) {}
  const TensorInfo& info() const noexcept { return info_; }
  const std::byte* bytes() const noexcept { return data_; }
  // Element stride (in elements) of each axis, honouring C or Fortran order.
  std::vector<std::int64_t> strides() const;
  // Says that bytes [begin, begin + size) will not be read again: for a memory-mapped file the
  // whole pages inside are dropped from memory (re-read from the file if touched again).
  void release(const std::byte* begin, std::size_t size) const;
  // The factors the (dense, F64) elements were made from, if any.
  const LowRankFactors* low_rank() const noexcept { return low_rank_.get(); }
  void set_low_rank(std::shared_ptr<const LowRankFactors> f) { low_rank_ = std::move(f); }

 private:
  TensorInfo info_;
  const std::byte* data_;
  std::shared_ptr<const void> keepalive_;
  bool mapped_ = false;
  std::shared_ptr<const LowRankFactors> low_rank_;
};

// All elements as double, in C (row-major) order whatever the storage order.
std::vector<double> to_f64(const TensorData& t);

}  // namespace setol
