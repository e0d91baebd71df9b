#include "spectrum/gram.hpp"

#include <algorithm>

#include "spectrum/lapack_routines.hpp"
#include "spectrum/pack.hpp"

namespace setol::spectrum {

bool gram_matrix(const TensorData& t, const MatrixView& v, double scale, std::vector<double>& x,
                 std::int64_t panel_bytes) {
  const std::int64_t m64 = std::min(v.rows, v.cols), n64 = std::max(v.rows, v.cols);
  const int m = static_cast<int>(m64);
  const std::int64_t panel = std::clamp<std::int64_t>(panel_bytes / (8 * m64), 32, n64);
  const bool transposed = long_side_contiguous(v);  // contiguous reads either way
  x.assign(static_cast<std::size_t>(m64 * m64), 0.0);
  std::vector<double> p(static_cast<std::size_t>(m64 * panel));
  bool finite = true;
  for (std::int64_t c0 = 0; c0 < n64; c0 += panel) {
    const int k = static_cast<int>(std::min(panel, n64 - c0));
    finite &= pack_panel(t, v, scale, c0, k, p.data(), transposed);
    gram_update(p.data(), m, k, c0 == 0 ? 0.0 : 1.0, x, transposed);
  }
  return finite;
}

}  // namespace setol::spectrum
