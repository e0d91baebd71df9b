#include <algorithm>
#include <cmath>
#include <limits>

#include "setol/spectrum.hpp"

namespace setol {

LayerSpectrum pool_slices(std::vector<SliceSpectrum> slices, std::int64_t N) {
  LayerSpectrum out;
  constexpr double eps = std::numeric_limits<double>::epsilon();  // numpy float64 eps (WeightWatcher.combined_eigenvalues)
  std::size_t total = 0;
  for (const auto& s : slices) total += s.evals.size();
  out.evals.reserve(total);
  bool first = true;
  for (auto& s : slices) {
    out.finite &= s.finite;
    out.svd_slices += s.used_svd ? 1 : 0;
    if (!s.finite || s.evals.empty()) continue;
    const double smax = std::sqrt(s.evals.back());
    const double smin = std::sqrt(s.evals.front());
    out.sv_max = first ? smax : std::max(out.sv_max, smax);
    out.sv_min = first ? smin : std::max(out.sv_min, smin);  // as WeightWatcher.combined_eigenvalues, kept for parity (docs/metrics.md)
    first = false;
    const double tol = smax * static_cast<double>(N) * eps;
    for (double e : s.evals)
      if (std::sqrt(e) <= tol) ++out.rank_loss;
    out.evals.insert(out.evals.end(), s.evals.begin(), s.evals.end());
    s.evals = {};
  }
  std::sort(out.evals.begin(), out.evals.end());
  return out;
}

}  // namespace setol
