// Eigenvalues of a low-rank product W = s * L * R (L: m x r, R: r x n) from its factors.
// With L = Q_L R_L and R^T = Q_R R_R (thin QR), W = s * Q_L (R_L R_R^T) Q_R^T, and Q_L, Q_R
// have orthonormal columns, so W's non-zero singular values are s times those of the r x r
// core C = R_L R_R^T; the eigenvalues of W^T W are their squares.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "setol/spectrum.hpp"

namespace setol {

SliceSpectrum low_rank_eigenvalues(const LowRankFactors& f) {
  using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const Mat> left(f.left.data(), f.rows, f.rank);
  const Eigen::Map<const Mat> right(f.right.data(), f.rank, f.cols);
  SliceSpectrum out;
  if (!left.allFinite() || !right.allFinite()) {
    out.finite = false;
    return out;
  }
  // Upper-triangular r x r factors of the thin QRs (Householder, column-major copies).
  // (A factor with fewer rows than r gives a shorter R; the core is then rectangular.)
  auto r_factor = [](const Eigen::MatrixXd& a) -> Eigen::MatrixXd {
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
    return qr.matrixQR().topRows(std::min(a.rows(), a.cols())).triangularView<Eigen::Upper>();
  };
  const Eigen::MatrixXd core = r_factor(left) * r_factor(right.transpose()).transpose();
  const Eigen::VectorXd sv = Eigen::JacobiSVD<Eigen::MatrixXd>(core).singularValues();
  out.evals.resize(static_cast<std::size_t>(sv.size()));
  for (Eigen::Index i = 0; i < sv.size(); ++i) out.evals[static_cast<std::size_t>(i)] = (f.scale * sv[i]) * (f.scale * sv[i]);
  std::sort(out.evals.begin(), out.evals.end());
  return out;
}

}  // namespace setol
