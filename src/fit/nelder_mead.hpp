// Nelder-Mead simplex minimisation with the exact update rules, initial simplex and
// stopping test of scipy.optimize.fmin (scipy 1.10, non-adaptive): reflection 1,
// expansion 2, contraction 1/2, shrink 1/2; initial vertices x0 and x0 with each
// coordinate scaled by 1.05 (0.00025 if it is 0); stop when every vertex is within
// xatol of the best in every coordinate and every value within fatol of the best.
//
// Why not GSL's nmsimplex2: WeightWatcher's MP fit (scipy.optimize.brute's finish
// step) and powerlaw's TPL fit stop at xtol = ftol = 1e-4, so the point they return
// depends on the path of this particular variant. Reproducing their sigma_mp and
// TPL alpha/Lambda to 1e-6 needs the same path; another simplex code stops elsewhere
// inside the tolerance box (~1e-4 away).
#pragma once
#include <functional>
#include <vector>

namespace setol::fit {

struct NelderMeadResult {
  std::vector<double> x;
  double fval = 0;
  int evaluations = 0;
  bool converged = false;
};

NelderMeadResult nelder_mead(const std::function<double(const std::vector<double>&)>& f, std::vector<double> x0,
                             double xatol = 1e-4, double fatol = 1e-4, int max_iter = 0, int max_fun = 0);

}  // namespace setol::fit
