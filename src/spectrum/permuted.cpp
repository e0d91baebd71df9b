#include <algorithm>
#include <random>
#include <stdexcept>

#include "setol/spectrum.hpp"
#include "spectrum/gram.hpp"
#include "spectrum/lapack_routines.hpp"

namespace setol {
namespace {

// Uniform integer in [0, bound) from 64-bit draws (Lemire's multiply-shift with rejection),
// defined here so the permutation does not depend on the standard library's distributions.
std::uint64_t bounded(std::mt19937_64& rng, std::uint64_t bound) {
  unsigned __int128 m = static_cast<unsigned __int128>(rng()) * bound;
  auto low = static_cast<std::uint64_t>(m);
  if (low < bound) {
    const std::uint64_t threshold = -bound % bound;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(rng()) * bound;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

}  // namespace

std::vector<double> permuted_eigenvalues(const TensorData& t, const MatrixView& v, double scale, std::uint64_t seed) {
  const std::int64_t m64 = std::min(v.rows, v.cols), n64 = std::max(v.rows, v.cols);
  if (m64 == 0) return {};
  if (m64 > spectrum::kMaxLapackDim) throw std::runtime_error("matrix too large for 32-bit LAPACK");
  // The permuted spectrum is a random draw: single precision (relative rounding ~1e-7) is
  // far below its sampling spread and halves the time and memory of this extra eigensolve.
  std::vector<float> a(static_cast<std::size_t>(m64 * n64));
  spectrum::for_each_panel(t, v, scale, false, 0, [&](const double* p, std::int64_t c0, int k) {
    std::copy(p, p + m64 * k, a.begin() + c0 * m64);
  });
  std::mt19937_64 rng(seed);
  for (std::size_t i = a.size(); i > 1; --i) std::swap(a[i - 1], a[bounded(rng, i)]);
  // A is m x n column-major; its Gram A A^T has the eigenvalues of the permuted W^T W.
  return spectrum::gram_eigenvalues_f32(a, static_cast<int>(m64), static_cast<int>(n64));
}

}  // namespace setol
