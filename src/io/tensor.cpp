#include "setol/tensor.hpp"

#include <iterator>

#include "io/decode.hpp"
#include "io/mapped_file.hpp"

namespace setol {

namespace {
constexpr std::string_view kNames[] = {"F16",  "BF16", "F32",  "F64",  "F8_E4M3", "F8_E5M2",     "Q4_0",
                                       "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K",    "Q3_K",        "Q4_K",
                                       "Q5_K", "Q6_K", "IQ4_NL", "unsupported", "integer", "other"};
static_assert(std::size(kNames) == static_cast<std::size_t>(DType::Other) + 1, "one name per DType");
}  // namespace

std::string_view dtype_name(DType t) { return kNames[static_cast<std::size_t>(t)]; }

std::size_t dtype_size(DType t) {
  const DTypeBlock b = dtype_block(t);
  return b.elems == 1 ? b.bytes : 0;
}

std::int64_t TensorInfo::numel() const {
  // Readers refuse shapes whose product overflows (io::checked_nbytes); saturating here keeps
  // a shape that reached us some other way from being undefined behaviour.
  std::int64_t n = 1;
  for (auto d : shape)
    if (d <= 0) return 0;
  for (auto d : shape)
    if (__builtin_mul_overflow(n, d, &n)) return INT64_MAX;
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
  if (!io::with_decoder(t.info().dtype, [&](auto d) { decode_all<decltype(d)::value>(t, out); })) out.clear();
  return out;
}

}  // namespace setol
