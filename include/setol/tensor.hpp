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

enum class DType { F16, BF16, F32, F64, Other };

// Axis convention of a weight as stored. Torch: dense (out, in), conv (out, in, kh, kw).
// Keras: dense (in, out), conv (kh, kw, in, out). Singular values do not depend on it;
// it only decides how a convolution kernel is cut into kh*kw matrices.
enum class Layout { Torch, Keras };

std::string_view dtype_name(DType t);
std::size_t dtype_size(DType t);  // 0 for Other

struct TensorInfo {
  std::string name;             // name in the file (safetensors key, npy stem, HDF5 path or Keras layer)
  std::vector<std::int64_t> shape;
  DType dtype = DType::Other;
  std::string dtype_text;       // dtype as the file spells it, for describe (e.g. "<f4", "BF16", "I64")
  bool big_endian = false;
  bool fortran_order = false;   // .npy only: column-major storage
  std::vector<std::int64_t> strides;  // element strides of a view (PyTorch); empty: C or Fortran order
  Layout layout = Layout::Torch;
  std::string source;           // the file the tensor lives in

  std::int64_t numel() const;
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

 private:
  TensorInfo info_;
  const std::byte* data_;
  std::shared_ptr<const void> keepalive_;
  bool mapped_ = false;
};

// All elements as double, in C (row-major) order whatever the storage order.
std::vector<double> to_f64(const TensorData& t);

}  // namespace setol
