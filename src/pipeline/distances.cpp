// WeightWatcher.distances() (matrix_distance) for one layer: 'raw', 'euclidean' and 'cka'.
#include <Eigen/Dense>
#include <cmath>

#include "setol/compare.hpp"

namespace setol {
namespace {

using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Mat slice(const std::vector<double>& v, const MatrixView& m) {
  Mat out(m.rows, m.cols);
  for (std::int64_t r = 0; r < m.rows; ++r)
    for (std::int64_t c = 0; c < m.cols; ++c)
      out(r, c) = v[static_cast<std::size_t>(m.offset + r * m.row_stride + c * m.col_stride)];
  return out;
}

// <X^T Y, X^T Y>-type products without forming the long side: for an n x m pair with m <= n,
// ||A^T B||_F^2 is the Frobenius norm of the m x m product; for m > n it equals
// <A A^T, B B^T>_F (both n x n), since ||A^T B||_F^2 = tr(A A^T B B^T). The same routine gives
// the numerator and both denominator norms, so identical matrices give exactly 1.
double cross_norm_sq(const Mat& a, const Mat& b) {
  if (a.cols() <= a.rows()) return (a.transpose() * b).squaredNorm();
  const Mat ga = a * a.transpose(), gb = b * b.transpose();
  return ga.cwiseProduct(gb).sum();
}

}  // namespace

Distances layer_distances(const std::vector<double>& base, const std::vector<double>& other, const TensorInfo& info,
                          const LayerGeometry& g) {
  Distances d;
  double raw = 0;
  for (std::size_t i = 0; i < base.size(); ++i) raw += (other[i] - base[i]) * (other[i] - base[i]);
  d.delta_W = std::sqrt(raw);
  // C-order strides of the logical shape: the arrays hold the tensors in that order.
  std::vector<std::int64_t> strides(info.shape.size(), 1);
  for (std::size_t i = info.shape.size(); i-- > 1;) strides[i - 1] = strides[i] * info.shape[i];
  const auto views = layer_matrices(info, g, strides);
  for (const auto& v : views) {
    const Mat a = slice(base, v), b = slice(other, v);
    d.euclidean += (b - a).norm();
    double den = std::sqrt(std::sqrt(cross_norm_sq(a, a)) * std::sqrt(cross_norm_sq(b, b)));
    if (den < 1e-6) den += 1e-6;  // as WeightWatcher's matrix_distance
    d.cka += std::sqrt(cross_norm_sq(a, b)) / den;
  }
  d.euclidean /= static_cast<double>(views.size());
  d.cka /= static_cast<double>(views.size());
  return d;
}

}  // namespace setol
