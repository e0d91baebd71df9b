#include "setol/tensor.hpp"

namespace setol {

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::F32: return "F32";
    case DType::F64: return "F64";
    case DType::Other: break;
  }
  return "other";
}

std::size_t dtype_size(DType t) {
  switch (t) {
    case DType::F16:
    case DType::BF16: return 2;
    case DType::F32: return 4;
    case DType::F64: return 8;
    case DType::Other: break;
  }
  return 0;
}

std::int64_t TensorInfo::numel() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::vector<std::int64_t> TensorData::strides() const {
  const auto& shape = info_.shape;
  std::vector<std::int64_t> s(shape.size(), 1);
  if (info_.fortran_order) {
    for (std::size_t i = 1; i < shape.size(); ++i) s[i] = s[i - 1] * shape[i - 1];
  } else {
    for (std::size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  }
  return s;
}

}  // namespace setol
