// Shared pieces of the tail fitters (internal).
#pragma once
#include <cstddef>
#include <span>

#include "setol/powerlaw.hpp"

namespace setol::fit {

// WWFit restricted to candidate indices [lo, hi) of the sorted positive data x; fills
// alpha, xmin, D, sigma and xmax (= x.back()); ok = false if no candidate.
PowerLawFit fit_pl_candidates(std::span<const double> x, std::size_t lo, std::size_t hi);

// powerlaw's truncated power law over candidate indices [lo, hi) (unique values only).
PowerLawFit fit_tpl_candidates(std::span<const double> x, std::size_t lo, std::size_t hi);

// #{v in evals : v >= x} for ascending evals.
std::int64_t count_at_least(std::span<const double> evals, double x);

// The eigenvalues above the fit threshold (1e-5).
std::span<const double> fit_data(std::span<const double> evals);

}  // namespace setol::fit
