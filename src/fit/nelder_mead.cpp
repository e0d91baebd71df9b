#include "fit/nelder_mead.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace setol::fit {

NelderMeadResult nelder_mead(const std::function<double(const std::vector<double>&)>& f, std::vector<double> x0,
                             double xatol, double fatol, int max_iter, int max_fun) {
  const std::size_t n = x0.size();
  const double rho = 1, chi = 2, psi = 0.5, sig = 0.5;
  if (max_iter <= 0) max_iter = static_cast<int>(200 * n);
  if (max_fun <= 0) max_fun = static_cast<int>(200 * n);
  NelderMeadResult res;
  auto eval = [&](const std::vector<double>& x) {
    ++res.evaluations;
    return f(x);
  };
  std::vector<std::vector<double>> sim(n + 1, x0);
  for (std::size_t k = 0; k < n; ++k) sim[k + 1][k] = x0[k] != 0 ? (1 + 0.05) * x0[k] : 0.00025;
  std::vector<double> fs(n + 1);
  for (std::size_t k = 0; k <= n; ++k) fs[k] = eval(sim[k]);
  auto sort_simplex = [&] {  // stable, as numpy's argsort is on such short arrays
    std::vector<std::size_t> idx(n + 1);
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return fs[a] < fs[b]; });
    auto s2 = sim;
    auto f2 = fs;
    for (std::size_t k = 0; k <= n; ++k) sim[k] = s2[idx[k]], fs[k] = f2[idx[k]];
  };
  sort_simplex();
  int iterations = 1;
  std::vector<double> xbar(n), xr(n), xe(n), xc(n);
  while (res.evaluations < max_fun && iterations < max_iter) {
    double dx = 0, df = 0;
    for (std::size_t k = 1; k <= n; ++k) {
      for (std::size_t j = 0; j < n; ++j) dx = std::max(dx, std::fabs(sim[k][j] - sim[0][j]));
      df = std::max(df, std::fabs(fs[0] - fs[k]));
    }
    if (dx <= xatol && df <= fatol) {
      res.converged = true;
      break;
    }
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::size_t k = 0; k < n; ++k) s += sim[k][j];
      xbar[j] = s / static_cast<double>(n);
    }
    auto& worst = sim[n];
    for (std::size_t j = 0; j < n; ++j) xr[j] = (1 + rho) * xbar[j] - rho * worst[j];
    const double fxr = eval(xr);
    bool shrink = false;
    if (fxr < fs[0]) {
      for (std::size_t j = 0; j < n; ++j) xe[j] = (1 + rho * chi) * xbar[j] - rho * chi * worst[j];
      const double fxe = eval(xe);
      if (fxe < fxr) worst = xe, fs[n] = fxe;
      else worst = xr, fs[n] = fxr;
    } else if (fxr < fs[n - 1]) {
      worst = xr, fs[n] = fxr;
    } else if (fxr < fs[n]) {  // outside contraction
      for (std::size_t j = 0; j < n; ++j) xc[j] = (1 + psi * rho) * xbar[j] - psi * rho * worst[j];
      const double fxc = eval(xc);
      if (fxc <= fxr) worst = xc, fs[n] = fxc;
      else shrink = true;
    } else {  // inside contraction
      for (std::size_t j = 0; j < n; ++j) xc[j] = (1 - psi) * xbar[j] + psi * worst[j];
      const double fxcc = eval(xc);
      if (fxcc < fs[n]) worst = xc, fs[n] = fxcc;
      else shrink = true;
    }
    if (shrink) {
      for (std::size_t k = 1; k <= n; ++k) {
        for (std::size_t j = 0; j < n; ++j) sim[k][j] = sim[0][j] + sig * (sim[k][j] - sim[0][j]);
        fs[k] = eval(sim[k]);
      }
    }
    ++iterations;
    sort_simplex();
  }
  res.x = sim[0];
  res.fval = *std::min_element(fs.begin(), fs.end());
  return res;
}

}  // namespace setol::fit
