#include "setol/tensor.hpp"

#include "io/decode.hpp"
#include "io/mapped_file.hpp"

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
  if (!info_.strides.empty()) return info_.strides;
  const auto& shape = info_.shape;
  std::vector<std::int64_t> s(shape.size(), 1);
  if (info_.fortran_order) {
    for (std::size_t i = 1; i < shape.size(); ++i) s[i] = s[i - 1] * shape[i - 1];
  } else {
    for (std::size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  }
  return s;
}

void TensorData::release(const std::byte* begin, std::size_t size) const {
  if (mapped_) io::drop_pages(begin, size);
}

namespace {
template <DType D>
void decode_all(const TensorData& t, std::vector<double>& out) {
  const auto& shape = t.info().shape;
  const auto st = t.strides();
  std::vector<std::int64_t> idx(shape.size(), 0);
  for (std::size_t k = 0; k < out.size(); ++k) {
    std::int64_t off = 0;
    for (std::size_t a = 0; a < shape.size(); ++a) off += idx[a] * st[a];
    out[k] = static_cast<double>(io::Decode<D>::get(t.bytes(), off, t.info().big_endian));
    for (std::size_t a = shape.size(); a-- > 0;) {  // next C-order index
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
}
}  // namespace

std::vector<double> to_f64(const TensorData& t) {
  std::vector<double> out(static_cast<std::size_t>(t.info().numel()));
  switch (t.info().dtype) {
    case DType::F16: decode_all<DType::F16>(t, out); break;
    case DType::BF16: decode_all<DType::BF16>(t, out); break;
    case DType::F32: decode_all<DType::F32>(t, out); break;
    case DType::F64: decode_all<DType::F64>(t, out); break;
    case DType::Other: out.clear(); break;
  }
  return out;
}

}  // namespace setol
