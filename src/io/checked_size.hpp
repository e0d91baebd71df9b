// Overflow-checked size arithmetic for sizes read from untrusted file headers.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

namespace setol::io {

// Product of the dims times the element size, or nullopt if a dim is negative or it overflows.
inline std::optional<std::uint64_t> checked_nbytes(const std::vector<std::int64_t>& shape, std::uint64_t elem) {
  std::uint64_t n = elem;
  for (auto d : shape) {
    if (d < 0) return std::nullopt;
    if (d != 0 && n > UINT64_MAX / static_cast<std::uint64_t>(d)) return std::nullopt;
    n *= static_cast<std::uint64_t>(d);
  }
  return n;
}

}  // namespace setol::io
