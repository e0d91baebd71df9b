#include "spectrum/lapack_routines.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "setol/spectrum.hpp"
#include "spectrum/lapack.hpp"

namespace setol::spectrum {

void gram_update(const double* a, int m, int k, double beta, std::vector<double>& x, bool transposed) {
  const double one = 1.0;
  if (transposed) dsyrk_("L", "T", &m, &k, &one, a, &k, &beta, x.data(), &m);
  else dsyrk_("L", "N", &m, &k, &one, a, &m, &beta, x.data(), &m);
}

namespace {

// Values-only symmetric eigensolve with LAPACK's ?syevd (workspace query, then the call);
// eigenvalues ascending, clamped at 0 (rounding can make the smallest slightly negative).
template <class T, class Routine>
std::vector<double> syevd_values(Routine routine, const char* name, std::vector<T>& x, int m) {
  std::vector<T> w(static_cast<std::size_t>(m));
  int info = 0, lwork = -1, liwork = -1, iwq = 0;
  T wq = 0;
  routine("N", "L", &m, x.data(), &m, w.data(), &wq, &lwork, &iwq, &liwork, &info);
  lwork = static_cast<int>(wq) + 1;
  liwork = std::max(iwq, 1);
  std::vector<T> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(liwork));
  routine("N", "L", &m, x.data(), &m, w.data(), work.data(), &lwork, iwork.data(), &liwork, &info);
  if (info != 0) throw std::runtime_error(std::string("LAPACK ") + name + " failed (info " + std::to_string(info) + ")");
  std::vector<double> out(w.begin(), w.end());
  for (auto& e : out) e = std::max(e, 0.0);
  return out;
}

}  // namespace

std::vector<double> symmetric_eigenvalues(std::vector<double>& x, int m) {
  // dsyevd: Eigen's solver, dsyevr and the two-stage dsyevd_2stage were measured too and
  // were slower or no faster on this machine (docs/performance.md).
  return syevd_values(dsyevd_, "dsyevd", x, m);
}

void gram_update_f32(const float* a, int m, int k, float beta, std::vector<float>& x, bool transposed) {
  const float one = 1;
  if (transposed) ssyrk_("L", "T", &m, &k, &one, a, &k, &beta, x.data(), &m);
  else ssyrk_("L", "N", &m, &k, &one, a, &m, &beta, x.data(), &m);
}

std::vector<double> gram_eigenvalues_f32(std::vector<float>& a, int m, int k) {
  std::vector<float> x(static_cast<std::size_t>(m) * static_cast<std::size_t>(m));
  gram_update_f32(a.data(), m, k, 0.0f, x, false);
  a = {};
  return symmetric_eigenvalues_f32(x, m);
}

std::vector<double> symmetric_eigenvalues_f32(std::vector<float>& x, int m) {
  return syevd_values(ssyevd_, "ssyevd", x, m);
}

std::vector<double> squared_singular_values(std::vector<double>& a, int m, int n) {
  std::vector<double> s(static_cast<std::size_t>(m));
  std::vector<int> iwork(8 * static_cast<std::size_t>(m));
  int info = 0, lwork = -1, one = 1;
  double wq = 0, dummy = 0;
  dgesdd_("N", &m, &n, a.data(), &m, s.data(), &dummy, &one, &dummy, &one, &wq, &lwork, iwork.data(), &info);
  lwork = static_cast<int>(wq) + 1;
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgesdd_("N", &m, &n, a.data(), &m, s.data(), &dummy, &one, &dummy, &one, work.data(), &lwork, iwork.data(), &info);
  if (info != 0) throw std::runtime_error("LAPACK dgesdd failed (info " + std::to_string(info) + ")");
  for (auto& v : s) v = v * v;
  std::sort(s.begin(), s.end());
  return s;
}

void thin_svd(std::vector<double>& a, int m, int n, std::vector<double>& s, std::vector<double>& u, std::vector<double>& vt) {
  s.assign(static_cast<std::size_t>(n), 0.0);
  u.assign(static_cast<std::size_t>(m) * static_cast<std::size_t>(n), 0.0);
  vt.assign(static_cast<std::size_t>(n) * static_cast<std::size_t>(n), 0.0);
  std::vector<int> iwork(8 * static_cast<std::size_t>(n));
  int info = 0, lwork = -1;
  double wq = 0;
  dgesdd_("S", &m, &n, a.data(), &m, s.data(), u.data(), &m, vt.data(), &n, &wq, &lwork, iwork.data(), &info);
  lwork = static_cast<int>(wq) + 1;
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgesdd_("S", &m, &n, a.data(), &m, s.data(), u.data(), &m, vt.data(), &n, work.data(), &lwork, iwork.data(), &info);
  if (info != 0) throw std::runtime_error("LAPACK dgesdd failed (info " + std::to_string(info) + ")");
}

}  // namespace setol::spectrum

namespace setol {

std::vector<double> tridiagonal_eigenvalues(std::vector<double> diag, std::vector<double> off) {
  if (diag.empty()) return diag;
  if (off.size() + 1 != diag.size()) throw std::invalid_argument("tridiagonal_eigenvalues: off-diagonal length");
  const int n = static_cast<int>(diag.size());
  int info = 0;
  dsterf_(&n, diag.data(), off.data(), &info);
  if (info != 0) throw std::runtime_error("LAPACK dsterf failed (info " + std::to_string(info) + ")");
  return diag;
}

}  // namespace setol
