#include "spectrum/gram.hpp"

#include <algorithm>

#include "spectrum/lapack_routines.hpp"
#include "spectrum/pack.hpp"

namespace setol::spectrum {

bool for_each_panel(const TensorData& t, const MatrixView& v, double scale, bool transposed,
                    std::int64_t panel_bytes,
                    const std::function<void(const double* panel, std::int64_t c0, int k)>& use) {
  const std::int64_t m = std::min(v.rows, v.cols), n = std::max(v.rows, v.cols);
  if (panel_bytes <= 0) panel_bytes = std::clamp<std::int64_t>(m * m / 2, std::int64_t{1} << 20, std::int64_t{16} << 20);
  const std::int64_t panel = std::clamp<std::int64_t>(panel_bytes / (8 * m), 32, n);
  std::vector<double> p(static_cast<std::size_t>(m * panel));
  bool finite = true;
  for (std::int64_t c0 = 0; c0 < n; c0 += panel) {
    const int k = static_cast<int>(std::min(panel, n - c0));
    finite &= pack_panel(t, v, scale, c0, k, p.data(), transposed);
    use(p.data(), c0, k);
  }
  return finite;
}

namespace {

// After columns [0, c1) of A are packed: release what no panel will read again. Only
// plain 2-D views (a dense layer's matrix) own their rows outright; conv slices share pages.
void release_consumed(const TensorData& t, const MatrixView& v, std::int64_t c1, bool transposed) {
  const auto esize = static_cast<std::int64_t>(dtype_size(t.info().dtype));
  const bool by_rows = v.cols <= v.rows;
  const std::int64_t m = by_rows ? v.cols : v.rows;
  const std::int64_t si = by_rows ? v.col_stride : v.row_stride, sj = by_rows ? v.row_stride : v.col_stride;
  const std::byte* base = t.bytes() + v.offset * esize;
  if (!transposed && si == 1) {  // columns of A are contiguous runs: one range
    t.release(base, static_cast<std::size_t>(c1 * sj * esize));
  } else if (transposed && sj == 1) {  // each of the m runs along j is consumed up to c1
    for (std::int64_t i = 0; i < m; ++i)
      t.release(base + i * si * esize, static_cast<std::size_t>(c1 * esize));
  }
}

}  // namespace

bool gram_matrix(const TensorData& t, const MatrixView& v, double scale, std::vector<double>& x,
                 std::int64_t panel_bytes) {
  const std::int64_t m64 = std::min(v.rows, v.cols), n64 = std::max(v.rows, v.cols);
  const int m = static_cast<int>(m64);
  const bool transposed = long_side_contiguous(v);  // contiguous reads either way
  const bool whole_matrix = v.offset == 0 && v.rows * v.cols == t.info().numel();
  x.assign(static_cast<std::size_t>(m64 * m64), 0.0);
  // Releasing row by row costs a system call per row: do it once 16 KB (4 pages) of every
  // row have been consumed; contiguous columns are released after every panel.
  const std::int64_t release_every =
      transposed ? std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, dtype_size(t.info().dtype))) : 1;
  std::int64_t released = 0;
  return for_each_panel(t, v, scale, transposed, panel_bytes, [&](const double* p, std::int64_t c0, int k) {
    gram_update(p, m, k, c0 == 0 ? 0.0 : 1.0, x, transposed);
    if (whole_matrix && (c0 + k - released >= release_every || c0 + k == n64)) {
      release_consumed(t, v, c0 + k, transposed);
      released = c0 + k;
    }
  });
}

bool gram_matrix_f32(const TensorData& t, const MatrixView& v, double scale, std::vector<float>& x) {
  const std::int64_t m64 = std::min(v.rows, v.cols);
  const int m = static_cast<int>(m64);
  const bool transposed = long_side_contiguous(v);
  x.assign(static_cast<std::size_t>(m64 * m64), 0.0f);
  std::vector<float> pf;
  return for_each_panel(t, v, scale, transposed, 0, [&](const double* p, std::int64_t c0, int k) {
    pf.assign(p, p + m64 * k);
    gram_update_f32(pf.data(), m, k, c0 == 0 ? 0.0f : 1.0f, x, transposed);
  });
}

}  // namespace setol::spectrum
