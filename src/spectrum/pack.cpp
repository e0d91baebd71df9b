#include "spectrum/pack.hpp"

#include <cmath>

#include "io/decode.hpp"

namespace setol::spectrum {
namespace {

using io::Decode;

template <DType D>
bool pack_impl(const TensorData& t, const MatrixView& v, double scale, std::int64_t c0, std::int64_t width,
               double* dst, bool transposed) {
  const std::byte* base = t.bytes();
  const bool swap = t.info().big_endian;
  // A is m x n with A(i, j) at offset + i*si + j*sj.
  const bool by_rows = v.cols <= v.rows;
  const std::int64_t m = by_rows ? v.cols : v.rows;
  const std::int64_t si = by_rows ? v.col_stride : v.row_stride;
  const std::int64_t sj = by_rows ? v.row_stride : v.col_stride;
  const float fscale = static_cast<float>(scale);
  const bool scaled = scale != 1.0;
  bool finite = true;
  auto value = [&](std::int64_t idx) -> double {
    const auto x = Decode<D>::get(base, idx, swap);
    double r;
    if constexpr (D == DType::F64) r = scaled ? x * scale : x;
    else r = scaled ? static_cast<double>(static_cast<float>(x * fscale)) : static_cast<double>(x);
    finite &= std::isfinite(r);
    return r;
  };
  // Element (i, j) of the panel goes to dst[j*m + i] (m x width) or dst[i*width + j] (transposed).
  const std::int64_t di = transposed ? width : 1, dj = transposed ? 1 : m;
  if (si <= sj) {  // walk memory along i
    for (std::int64_t j = 0; j < width; ++j) {
      const std::int64_t col = v.offset + (c0 + j) * sj;
      for (std::int64_t i = 0; i < m; ++i) dst[j * dj + i * di] = value(col + i * si);
    }
  } else {  // walk memory along j
    for (std::int64_t i = 0; i < m; ++i) {
      const std::int64_t row = v.offset + i * si + c0 * sj;
      for (std::int64_t j = 0; j < width; ++j) dst[j * dj + i * di] = value(row + j * sj);
    }
  }
  return finite;
}

}  // namespace

bool pack_panel(const TensorData& t, const MatrixView& v, double scale, std::int64_t c0, std::int64_t width,
                double* dst, bool transposed) {
  bool finite = false;
  io::with_decoder(t.info().dtype,
                   [&](auto d) { finite = pack_impl<decltype(d)::value>(t, v, scale, c0, width, dst, transposed); });
  return finite;
}

bool long_side_contiguous(const MatrixView& v) {
  const bool by_rows = v.cols <= v.rows;  // A's columns are W's rows
  return (by_rows ? v.row_stride : v.col_stride) == 1;
}

}  // namespace setol::spectrum
