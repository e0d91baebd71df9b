// Sum of eigenvalues in extended precision (internal). numpy sums pairwise; both are within
// an ulp or two of the exact sum, which keeps normalisations (Σλ, mean-1 rescaling) at parity.
#pragma once
#include <span>

namespace setol::fit {

inline long double precise_sum(std::span<const double> v) {
  long double s = 0;
  for (double x : v) s += x;
  return s;
}

}  // namespace setol::fit
