// Near-null singular values by a factorisation, inverse iteration and Rayleigh-Ritz.
//
// The Gram route cannot resolve singular values below ~sqrt(m eps) sigma_max, and
// WeightWatcher's rank counts compare them with sigma_max N eps. An SVD of A (dgesdd) settles
// them at O(m^2 n) with a slow, BLAS-2-bound bidiagonalisation. Here instead, with G an m x m
// matrix with A's singular values:
//  1. Square A (m = n): G = A^T itself, factorised P G = L U (dgetrf, 2/3 m^3 flops). The
//     factors serve only step 2; step 3 uses G itself, so LU's backward error never moves a
//     value. It can still leave the bound undecided: the iteration converges to the near-null
//     space of L U, not of G, and for singular values at rounding level (exact zeros) that
//     mismatch can put the bound near the tolerance itself (on one machine's OpenBLAS and not on
//     another's). The square A then takes the QR route below as well.
//     Rectangular A: A^T = Q R (dgeqrf, blocked BLAS-3, 2 n m^2 - 2/3 m^3 flops) and G = R: R has
//     A's singular values, and Householder QR is backward stable, so they are perturbed by
//     ~eps sigma_max only, as an SVD's are. Steps 2 and 3 use R itself.
//  2. Inverse subspace iteration on G^T G with q = k + p vectors, two solves with the factors a
//     step (O(m^2 q)): the subspace converges to the q smallest right singular vectors at the
//     rate (sigma_i / sigma_{q+1})^2 a step, which is tiny when the near-null values sit far
//     below the rest (the case that needs this).
//  3. C = G Y (m x q), C = U S V^T (dgesdd on m x q): G (Y V) = U S exactly, and the residual
//     G^T U - Y V S with the gap to the rest of the spectrum bounds the distance of each s_i to
//     a singular value of G (below); the values are accepted when that bound leaves no doubt on
//     which side of WeightWatcher's rank tolerance sigma_max N eps each one lies.
#include "spectrum/near_null.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

#include "spectrum/lapack.hpp"
#include "spectrum/lapack_routines.hpp"
#include "spectrum/pack.hpp"

namespace setol::spectrum {
namespace {

constexpr double kEps = 2.220446049250313e-16;

// Orthonormalises the m x q column-major block y in place (QR, then Q).
void orthonormalise(std::vector<double>& y, int m, int q) {
  std::vector<double> tau(static_cast<std::size_t>(q));
  int info = 0, lwork = -1;
  double wq = 0;
  dgeqrf_(&m, &q, y.data(), &m, tau.data(), &wq, &lwork, &info);
  lwork = std::max(static_cast<int>(wq), q) + 1;
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgeqrf_(&m, &q, y.data(), &m, tau.data(), work.data(), &lwork, &info);
  dorgqr_(&m, &q, &q, y.data(), &m, tau.data(), work.data(), &lwork, &info);
}

// R (m x m, column-major, zero below the diagonal) of A^T = Q R, from `at`, A^T packed n x m
// (A the view's m x n matrix, m <= n), which dgeqrf overwrites; empty when dgeqrf fails.
std::vector<double> upper_triangle_of_qr(std::vector<double> at, int m, int n) {
  std::vector<double> tau(static_cast<std::size_t>(m));
  int info = 0, lwork = -1;
  double wq = 0;
  dgeqrf_(&n, &m, at.data(), &n, tau.data(), &wq, &lwork, &info);
  lwork = static_cast<int>(wq) + 1;
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgeqrf_(&n, &m, at.data(), &n, tau.data(), work.data(), &lwork, &info);
  if (info != 0) return {};
  std::vector<double> r(static_cast<std::size_t>(m) * static_cast<std::size_t>(m), 0.0);
  for (int j = 0; j < m; ++j)
    for (int i = 0; i <= j; ++i)
      r[static_cast<std::size_t>(j) * m + i] = at[static_cast<std::size_t>(j) * n + i];
  return r;
}

// An exactly singular factor cannot be solved with: a zero pivot of the m x m factor (column-major)
// becomes eps sigma_max * 1e-3, a perturbation far inside the backward error of the factorisation.
void lift_zero_pivots(std::vector<double>& factor, int m, double sigma_max) {
  const double tiny = 1e-3 * kEps * sigma_max;
  for (int i = 0; i < m; ++i) {
    double& d = factor[static_cast<std::size_t>(i) * m + i];
    if (std::fabs(d) < tiny) d = d < 0 ? -tiny : tiny;
  }
}

// Steps 2 and 3 for G (m x m, column-major, A's singular values): `solve` applies (G^T G)^-1 to
// the m x q block y in place through G's factors. The k smallest squared singular values, or
// nothing when the bound cannot decide.
template <class Solve>
std::optional<std::vector<double>> settle(const std::vector<double>& g, int m, int n, int k, double sigma_max,
                                          double gap, Solve solve) {
  const int q = std::min(m, k + 4);
  // 2. Inverse iteration from a fixed pseudo-random start (results do not depend on the run).
  std::vector<double> y(static_cast<std::size_t>(m) * static_cast<std::size_t>(q));
  std::mt19937_64 gen(0x5e7011);
  std::normal_distribution<double> normal;
  for (auto& e : y) e = normal(gen);
  orthonormalise(y, m, q);
  for (int step = 0; step < 3; ++step) {
    solve(y, q);
    for (const double e : y)
      if (!std::isfinite(e)) return std::nullopt;
    orthonormalise(y, m, q);
  }
  // 3. C = G Y and its SVD.
  const double one = 1, zero = 0;
  std::vector<double> c(y.size());
  dgemm_("N", "N", &m, &q, &m, &one, g.data(), &m, y.data(), &m, &zero, c.data(), &m);
  std::vector<double> s, u, vt;
  thin_svd(c, m, q, s, u, vt);
  // Residual G^T U - (Y V) S, column by column.
  std::vector<double> rtu(static_cast<std::size_t>(m) * static_cast<std::size_t>(q)), yv(rtu.size());
  dgemm_("T", "N", &m, &q, &m, &one, g.data(), &m, u.data(), &m, &zero, rtu.data(), &m);
  dgemm_("N", "T", &m, &q, &q, &one, y.data(), &m, vt.data(), &q, &zero, yv.data(), &m);
  // Each of the k Ritz values theta_j = s_j^2 of G^T G has the residual s_j r_j (r_j the column
  // above); with the rest of the spectrum at least `gap` - max theta away, every theta_j lies
  // within ||residual||_F^2 / (gap - max theta) of a distinct eigenvalue (the quadratic,
  // Kato-Temple-type bound for a cluster of Ritz values), so sigma_j within its square root.
  double res2 = 0, theta_max = 0;
  std::vector<double> out;
  for (int j = q - k; j < q; ++j) {  // s is descending: the k smallest are the last
    const double sj = s[static_cast<std::size_t>(j)];
    double col = 0;
    for (int i = 0; i < m; ++i) {
      const std::size_t ij = static_cast<std::size_t>(j) * m + i;
      const double d = rtu[ij] - yv[ij] * sj;
      col += d * d;
    }
    res2 += sj * sj * col;
    theta_max = std::max(theta_max, sj * sj);
    out.push_back(sj * sj);
  }
  const double separation = gap - theta_max;
  if (!(separation > 0)) return std::nullopt;
  const double bound = std::sqrt(res2 / separation);
  // Accepted when every value is proved to lie on the same side of WeightWatcher's rank
  // tolerance as the singular value it approximates, and far more accurate than the Gram's
  // resolution (sqrt(gap) > the values' scale).
  const double tol = sigma_max * static_cast<double>(n) * kEps;
  if (!(bound <= 1e-3 * std::sqrt(gap))) return std::nullopt;
  for (const double theta : out)
    if (!(std::fabs(std::sqrt(theta) - tol) > bound)) return std::nullopt;
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::optional<std::vector<double>> smallest_squared_singular_values(const TensorData& t, const MatrixView& v,
                                                                   double scale, int k, double sigma_max, double gap,
                                                                   std::vector<double>& triangle) {
  const std::int64_t m64 = std::min(v.rows, v.cols), n64 = std::max(v.rows, v.cols);
  const int m = static_cast<int>(m64), n = static_cast<int>(n64);
  const double one = 1;
  // A^T, n x m, packed once for both routes.
  std::vector<double> at(static_cast<std::size_t>(m64 * n64));
  pack_panel(t, v, scale, 0, n64, at.data(), true);
  // 1a. Square A: G = A^T, P G = L U.
  if (m == n) {
    const std::vector<double>& g = at;
    std::vector<double> lu = g;
    std::vector<int> pivots(static_cast<std::size_t>(m));
    int info = 0;
    dgetrf_(&m, &m, lu.data(), &m, pivots.data(), &info);
    if (info >= 0) {
      lift_zero_pivots(lu, m, sigma_max);
      auto values = settle(g, m, n, k, sigma_max, gap, [&](std::vector<double>& y, int q) {
        dgetrs_("T", &m, &q, lu.data(), &m, pivots.data(), y.data(), &m, &info);  // y = G^-T y
        dgetrs_("N", &m, &q, lu.data(), &m, pivots.data(), y.data(), &m, &info);  // y = G^-1 y
      });
      if (values) return values;
    }
  }
  // 1b. A^T = Q R and G = R: rectangular A, or square A whose LU bound could not decide.
  std::vector<double> r = upper_triangle_of_qr(std::move(at), m, n);
  if (r.empty()) return std::nullopt;
  lift_zero_pivots(r, m, sigma_max);
  auto values = settle(r, m, n, k, sigma_max, gap, [&](std::vector<double>& y, int q) {
    dtrsm_("L", "U", "T", "N", &m, &q, &one, r.data(), &m, y.data(), &m);  // y = R^-T y
    dtrsm_("L", "U", "N", "N", &m, &q, &one, r.data(), &m, y.data(), &m);  // y = R^-1 y
  });
  if (!values) triangle = std::move(r);
  return values;
}

}  // namespace setol::spectrum
