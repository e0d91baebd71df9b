#include "spectrum/pack.hpp"

#include <bit>
#include <cmath>
#include <cstring>

namespace setol::spectrum {
namespace {

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  std::uint32_t exp = (h >> 10) & 0x1fu;
  std::uint32_t man = h & 0x3ffu;
  std::uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (man << 13);  // Inf / NaN
  } else if (exp != 0) {
    bits = sign | ((exp + 112u) << 23) | (man << 13);
  } else if (man == 0) {
    bits = sign;
  } else {  // subnormal half: normalise
    exp = 113;
    while ((man & 0x400u) == 0) {
      man <<= 1;
      --exp;
    }
    man &= 0x3ffu;
    bits = sign | (exp << 23) | (man << 13);
  }
  return std::bit_cast<float>(bits);
}

template <class U>
U load_raw(const std::byte* p, bool swap) {
  U u;
  std::memcpy(&u, p, sizeof(U));
  if (swap) {
    if constexpr (sizeof(U) == 2) u = static_cast<U>((u >> 8) | (u << 8));
    else if constexpr (sizeof(U) == 4) u = __builtin_bswap32(u);
    else u = __builtin_bswap64(u);
  }
  return u;
}

// Element decoder for one dtype; returns the value as float (or double for F64).
template <DType D>
struct Decode {
  static auto get(const std::byte* base, std::int64_t idx, bool swap) {
    if constexpr (D == DType::F16) return half_to_float(load_raw<std::uint16_t>(base + idx * 2, swap));
    else if constexpr (D == DType::BF16)
      return std::bit_cast<float>(static_cast<std::uint32_t>(load_raw<std::uint16_t>(base + idx * 2, swap)) << 16);
    else if constexpr (D == DType::F32) return std::bit_cast<float>(load_raw<std::uint32_t>(base + idx * 4, swap));
    else return std::bit_cast<double>(load_raw<std::uint64_t>(base + idx * 8, swap));
  }
};

template <DType D>
bool pack_impl(const TensorData& t, const MatrixView& v, double scale, std::int64_t c0, std::int64_t width,
               double* dst) {
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
  if (si <= sj) {  // walk memory along i
    for (std::int64_t j = 0; j < width; ++j) {
      const std::int64_t col = v.offset + (c0 + j) * sj;
      double* out = dst + j * m;
      for (std::int64_t i = 0; i < m; ++i) out[i] = value(col + i * si);
    }
  } else {  // walk memory along j
    for (std::int64_t i = 0; i < m; ++i) {
      const std::int64_t row = v.offset + i * si + c0 * sj;
      for (std::int64_t j = 0; j < width; ++j) dst[j * m + i] = value(row + j * sj);
    }
  }
  return finite;
}

}  // namespace

bool pack_columns(const TensorData& t, const MatrixView& v, double scale, std::int64_t c0, std::int64_t width,
                  double* dst) {
  switch (t.info().dtype) {
    case DType::F16: return pack_impl<DType::F16>(t, v, scale, c0, width, dst);
    case DType::BF16: return pack_impl<DType::BF16>(t, v, scale, c0, width, dst);
    case DType::F32: return pack_impl<DType::F32>(t, v, scale, c0, width, dst);
    case DType::F64: return pack_impl<DType::F64>(t, v, scale, c0, width, dst);
    case DType::Other: break;
  }
  return false;
}

}  // namespace setol::spectrum
