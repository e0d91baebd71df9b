// Overflow-checked size arithmetic for sizes read from untrusted file headers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace setol::io {

// Product of the dims times the element size, or nullopt if a dim is negative or the product
// of the non-zero dims (times elem) overflows. The zero-dim rule matters: a shape (0, 2^40, 2^40)
// holds no bytes, yet anything that multiplies its dims in order (numel) would overflow, so such
// a shape is refused like any other overflowing one.
inline std::optional<std::uint64_t> checked_nbytes(const std::vector<std::int64_t>& shape, std::uint64_t elem) {
  std::uint64_t n = elem;
  bool empty = false;
  for (auto d : shape) {
    if (d < 0) return std::nullopt;
    if (d == 0) {
      empty = true;
      continue;
    }
    if (n > static_cast<std::uint64_t>(INT64_MAX) / static_cast<std::uint64_t>(d)) return std::nullopt;
    n *= static_cast<std::uint64_t>(d);
  }
  return empty ? 0 : n;
}

// An unsigned little-endian integer of `bytes` (1..8) bytes at p (the caller has checked the range).
inline std::uint64_t read_le(const std::byte* p, int bytes) {
  std::uint64_t v = 0;
  for (int k = 0; k < bytes; ++k) v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(p[k])) << (8 * k);
  return v;
}

}  // namespace setol::io
