// Decoding of stored tensor elements (float16, bfloat16, float32, float64, either byte order).
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "setol/tensor.hpp"

namespace setol::io {

inline float half_to_float(std::uint16_t h) {
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
inline U load_raw(const std::byte* p, bool swap) {
  U u;
  std::memcpy(&u, p, sizeof(U));
  if (swap) {
    if constexpr (sizeof(U) == 2) u = static_cast<U>((u >> 8) | (u << 8));
    else if constexpr (sizeof(U) == 4) u = __builtin_bswap32(u);
    else u = __builtin_bswap64(u);
  }
  return u;
}

// FP8 as the OCP 8-bit floating point specification defines it. E4M3FN: bias 7, no
// infinities, S.1111.111 is NaN, subnormals m/8 * 2^-6. E5M2: bias 15, IEEE-like (inf, NaN),
// subnormals m/4 * 2^-14. Every code is exact in float.
inline float fp8_e4m3(std::uint8_t b) {
  const float sign = (b & 0x80) ? -1.0f : 1.0f;
  const int e = (b >> 3) & 15, m = b & 7;
  if (e == 15 && m == 7) return std::numeric_limits<float>::quiet_NaN();
  if (e == 0) return sign * std::ldexp(static_cast<float>(m) / 8.0f, -6);
  return sign * std::ldexp(1.0f + static_cast<float>(m) / 8.0f, e - 7);
}
inline float fp8_e5m2(std::uint8_t b) {
  return half_to_float(static_cast<std::uint16_t>(b) << 8);  // E5M2 is the top byte of a binary16
}

// ggml's block-quantized types, decoded one element at a time. Rows start fresh blocks and a
// quantized row's length is a multiple of the block size, so element idx of a tensor is
// element idx % B of block idx / B: random access without knowing the row length. The
// arithmetic is ggml's dequantize_row_* in float32, in the same order (bit-exact results).
namespace quant {

// Block scales are decoded for every element: a table of all 65536 halves makes that a load.
inline const float* half_table() {
  static const std::vector<float> table = [] {
    std::vector<float> t(65536);
    for (std::uint32_t h = 0; h < 65536; ++h) t[h] = half_to_float(static_cast<std::uint16_t>(h));
    return t;
  }();
  return table.data();
}
inline float f16(const std::byte* p) { return half_table()[load_raw<std::uint16_t>(p, false)]; }
inline std::uint8_t u8(const std::byte* p, std::size_t i) { return static_cast<std::uint8_t>(p[i]); }

// Q4_K and Q5_K: the 6-bit scale and min of group g from the 12 packed bytes (get_scale_min_k4).
inline void scale_min_k4(int g, const std::byte* b, int& sc, int& m) {
  if (g < 4) {
    sc = u8(b, g) & 63;
    m = u8(b, g + 4) & 63;
  } else {
    sc = (u8(b, g + 4) & 15) | ((u8(b, g - 4) >> 6) << 4);
    m = (u8(b, g + 4) >> 4) | ((u8(b, g) >> 6) << 4);
  }
}

constexpr int kIq4nl[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

// One element i of a block at p.
template <DType D>
float element(const std::byte* p, int i) {
  if constexpr (D == DType::Q8_0) {
    return f16(p) * static_cast<float>(static_cast<std::int8_t>(u8(p, 2 + i)));
  } else if constexpr (D == DType::Q4_0 || D == DType::Q4_1 || D == DType::IQ4_NL) {
    const std::size_t qs = D == DType::Q4_1 ? 4 : 2;
    const int nib = i < 16 ? (u8(p, qs + i) & 15) : (u8(p, qs + i - 16) >> 4);
    if constexpr (D == DType::Q4_0) return static_cast<float>(nib - 8) * f16(p);
    else if constexpr (D == DType::Q4_1) return static_cast<float>(nib) * f16(p) + f16(p + 2);
    else return f16(p) * static_cast<float>(kIq4nl[nib]);
  } else if constexpr (D == DType::Q5_0 || D == DType::Q5_1) {
    const std::size_t h = D == DType::Q5_1 ? 4 : 2;
    const std::uint32_t qh = load_raw<std::uint32_t>(p + h, false);
    const int nib = i < 16 ? (u8(p, h + 4 + i) & 15) : (u8(p, h + 4 + i - 16) >> 4);
    const int q = nib | static_cast<int>(((qh >> i) & 1u) << 4);
    if constexpr (D == DType::Q5_0) return static_cast<float>(q - 16) * f16(p);
    else return static_cast<float>(q) * f16(p) + f16(p + 2);
  } else if constexpr (D == DType::Q2_K || D == DType::Q3_K) {
    // Two halves of 128; in each, four shifts; per shift two runs of 16, each with its scale.
    const int h = i / 128, j = (i % 128) / 32, second = (i % 32) / 16, l = i % 16;
    const int g = h * 8 + j * 2 + second;
    const std::size_t qbyte = static_cast<std::size_t>(32 * h + 16 * second + l);
    if constexpr (D == DType::Q2_K) {
      const int q = (u8(p, 16 + qbyte) >> (2 * j)) & 3;
      const int s = u8(p, g);
      const float dl = f16(p + 80) * static_cast<float>(s & 15), ml = f16(p + 82) * static_cast<float>(s >> 4);
      return dl * static_cast<float>(q) - ml;
    } else {
      const std::size_t sb = 96;  // scales[12]: low 4 bits, then 2 high bits
      const int low = g < 8 ? (u8(p, sb + g) & 15) : (u8(p, sb + g - 8) >> 4);
      const int high = (u8(p, sb + 8 + g % 4) >> (2 * (g / 4))) & 3;
      const int sc = (low | (high << 4)) - 32;
      const int hbit = (u8(p, 16 * second + l) >> (h * 4 + j)) & 1;
      const int q = ((u8(p, 32 + qbyte) >> (2 * j)) & 3) - (hbit ? 0 : 4);
      return (f16(p + 108) * static_cast<float>(sc)) * static_cast<float>(q);
    }
  } else if constexpr (D == DType::Q4_K || D == DType::Q5_K) {
    // Four chunks of 64: 32 low nibbles (group 2c), then 32 high nibbles (group 2c+1).
    const int c = i / 64, hi = (i % 64) / 32, l = i % 32;
    int sc, m;
    scale_min_k4(2 * c + hi, p + 4, sc, m);
    const std::size_t qs = D == DType::Q4_K ? 16 : 48;
    const std::uint8_t byte = u8(p, qs + static_cast<std::size_t>(32 * c + l));
    int q = hi ? byte >> 4 : byte & 15;
    if constexpr (D == DType::Q5_K) q += ((u8(p, 16 + l) >> (2 * c + hi)) & 1) ? 16 : 0;
    const float d1 = f16(p) * static_cast<float>(sc), m1 = f16(p + 2) * static_cast<float>(m);
    return d1 * static_cast<float>(q) - m1;
  } else {  // Q6_K: halves of 128; four quarters of 32 from ql (low/high nibble) and qh (2 bits)
    const int h = i / 128, quarter = (i % 128) / 32, l = i % 32;
    const std::byte* ql = p + 64 * h;
    const std::byte* qh = p + 128 + 32 * h;
    const std::byte* sc = p + 192 + 8 * h;
    const std::uint8_t lo = u8(ql, static_cast<std::size_t>(l + (quarter & 1) * 32));
    const int nib = quarter < 2 ? (lo & 15) : (lo >> 4);
    const int q = (nib | (((u8(qh, static_cast<std::size_t>(l)) >> (2 * quarter)) & 3) << 4)) - 32;
    const auto s = static_cast<std::int8_t>(u8(sc, static_cast<std::size_t>(l / 16 + 2 * quarter)));
    return f16(p + 208) * static_cast<float>(s) * static_cast<float>(q);
  }
}

}  // namespace quant

// Element decoder for one dtype; returns the value as float (or double for F64).
template <DType D>
struct Decode {
  static auto get(const std::byte* base, std::int64_t idx, bool swap) {
    if constexpr (D == DType::F16) return half_to_float(load_raw<std::uint16_t>(base + idx * 2, swap));
    else if constexpr (D == DType::BF16)
      return std::bit_cast<float>(static_cast<std::uint32_t>(load_raw<std::uint16_t>(base + idx * 2, swap)) << 16);
    else if constexpr (D == DType::F32) return std::bit_cast<float>(load_raw<std::uint32_t>(base + idx * 4, swap));
    else if constexpr (D == DType::F64) return std::bit_cast<double>(load_raw<std::uint64_t>(base + idx * 8, swap));
    else if constexpr (D == DType::F8_E4M3) return fp8_e4m3(static_cast<std::uint8_t>(base[idx]));
    else if constexpr (D == DType::F8_E5M2) return fp8_e5m2(static_cast<std::uint8_t>(base[idx]));
    else {
      constexpr DTypeBlock b = dtype_block(D);
      const std::int64_t blk = idx / static_cast<std::int64_t>(b.elems);
      return quant::element<D>(base + blk * static_cast<std::int64_t>(b.bytes),
                               static_cast<int>(idx - blk * static_cast<std::int64_t>(b.elems)));
    }
  }
};

// Calls f(std::integral_constant<DType, D>) for a decodable dtype; false for Unsupported/Other.
template <class F>
bool with_decoder(DType t, F&& f) {
  auto call = [&](auto c) {
    f(c);
    return true;
  };
  using std::integral_constant;
  switch (t) {
    case DType::F16: return call(integral_constant<DType, DType::F16>{});
    case DType::BF16: return call(integral_constant<DType, DType::BF16>{});
    case DType::F32: return call(integral_constant<DType, DType::F32>{});
    case DType::F64: return call(integral_constant<DType, DType::F64>{});
    case DType::F8_E4M3: return call(integral_constant<DType, DType::F8_E4M3>{});
    case DType::F8_E5M2: return call(integral_constant<DType, DType::F8_E5M2>{});
    case DType::Q4_0: return call(integral_constant<DType, DType::Q4_0>{});
    case DType::Q4_1: return call(integral_constant<DType, DType::Q4_1>{});
    case DType::Q5_0: return call(integral_constant<DType, DType::Q5_0>{});
    case DType::Q5_1: return call(integral_constant<DType, DType::Q5_1>{});
    case DType::Q8_0: return call(integral_constant<DType, DType::Q8_0>{});
    case DType::Q2_K: return call(integral_constant<DType, DType::Q2_K>{});
    case DType::Q3_K: return call(integral_constant<DType, DType::Q3_K>{});
    case DType::Q4_K: return call(integral_constant<DType, DType::Q4_K>{});
    case DType::Q5_K: return call(integral_constant<DType, DType::Q5_K>{});
    case DType::Q6_K: return call(integral_constant<DType, DType::Q6_K>{});
    case DType::IQ4_NL: return call(integral_constant<DType, DType::IQ4_NL>{});
    case DType::Unsupported:
    case DType::Integer:
    case DType::Other: break;
  }
  return false;
}

}  // namespace setol::io
