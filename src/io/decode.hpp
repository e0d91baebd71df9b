// Decoding of stored tensor elements (float16, bfloat16, float32, float64, either byte order).
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

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

}  // namespace setol::io
