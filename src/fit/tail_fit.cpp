// Tail-fit options on top of the exhaustive-xmin search: the xmin_peak window and
// clip_xmax finger removal (WeightWatcher.fit_powerlaw, RMT_Util.fit_clipped_powerlaw), and the truncated power law
// (powerlaw 1.5's Truncated_Power_Law).
#include <algorithm>
#include <cmath>
#include <vector>

#include "fit/tail_internal.hpp"
#include "setol/powerlaw.hpp"

namespace setol {

double log_histogram_peak(std::span<const double> evals) {
  const auto x = fit::fit_data(evals);
  if (x.empty()) return std::nan("");
  constexpr int kBins = 100;
  std::vector<double> a(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) a[i] = std::log10(x[i]);
  double first = a.front(), last = a.back();
  if (first == last) first -= 0.5, last += 0.5;
  // numpy.histogram: edges = linspace(first, last, 101), index from the scaled offset, then
  // corrected against the edges themselves.
  std::vector<double> edges(kBins + 1);
  const double step = (last - first) / kBins;
  for (int j = 0; j <= kBins; ++j) edges[static_cast<std::size_t>(j)] = j * step + first;
  edges[kBins] = last;
  const double norm = kBins / (last - first);
  std::vector<long> counts(kBins, 0);
  for (double v : a) {
    auto idx = static_cast<long>((v - first) * norm);
    if (idx == kBins) --idx;
    if (v < edges[static_cast<std::size_t>(idx)]) --idx;
    else if (idx != kBins - 1 && v >= edges[static_cast<std::size_t>(idx) + 1]) ++idx;
    ++counts[static_cast<std::size_t>(idx)];
  }
  const auto best = std::max_element(counts.begin(), counts.end()) - counts.begin();
  return std::pow(10.0, edges[static_cast<std::size_t>(best)]);
}

namespace {

PowerLawFit fit_range(std::span<const double> x, std::size_t lo, std::size_t hi, TailDistribution d) {
  return d == TailDistribution::TruncatedPowerLaw ? fit::fit_tpl_candidates(x, lo, hi)
                                                   : fit::fit_pl_candidates(x, lo, hi);
}

// xmin restricted to a window around the peak of the log-ESD histogram: candidates with
// lo_value <= x <= xmin_max, the largest of them excluded (powerlaw's rule).
PowerLawFit fit_xmin_peak(std::span<const double> evals, std::span<const double> x, const TailFitOptions& opt) {
  const double peak = log_histogram_peak(evals);
  const double xmin_max = opt.xmin_max > 0 ? opt.xmin_max : 1.5 * peak;
  if (!(xmin_max >= 0.95 * peak)) return {};
  // WeightWatcher 0.7.5.5 passes log10(0.95 peak) as the lower end (docs/metrics.md, "Where setol differs").
  const double lo_value = opt.ww_xmin_peak_window ? std::log10(0.95 * peak) : 0.95 * peak;
  const auto lo = static_cast<std::size_t>(std::lower_bound(x.begin(), x.end(), lo_value) - x.begin());
  auto hi = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), xmin_max) - x.begin());
  if (hi > lo) --hi;  // drop the largest candidate in the window
  return fit_range(x, lo, hi, opt.distribution);
}

// Remove up to max_fingers top eigenvalues, one more each time, until alpha drops by more
// than finger_thresh (keep that fit) or falls to 2 or below (keep the first fit).
PowerLawFit fit_clip_xmax(std::span<const double> x, const TailFitOptions& opt) {
  const PowerLawFit first = fit::fit_pl_candidates(x, 0, x.size());
  if (!first.ok) return first;
  PowerLawFit best = first;
  for (int k = 1; k <= opt.max_fingers && x.size() > static_cast<std::size_t>(k) + 1; ++k) {
    const auto clipped = x.first(x.size() - static_cast<std::size_t>(k));
    const PowerLawFit f = fit::fit_pl_candidates(clipped, 0, clipped.size());
    if (!f.ok) break;
    if (f.alpha + opt.finger_thresh < first.alpha) {
      best = f;
      best.num_fingers = k;
      break;
    }
    if (f.alpha <= 2.0) break;
  }
  best.raw_alpha = first.alpha;
  return best;
}

}  // namespace

PowerLawFit fit_tail(std::span<const double> evals, const TailFitOptions& opt) {
  const auto x = fit::fit_data(evals);
  PowerLawFit f;
  switch (opt.fix_fingers) {
    case FixFingers::None: f = fit_range(x, 0, x.size(), opt.distribution); break;
    case FixFingers::XminPeak: f = fit_xmin_peak(evals, x, opt); break;
    case FixFingers::ClipXmax: f = fit_clip_xmax(x, opt); break;
  }
  if (f.ok) f.num_pl_spikes = fit::count_at_least(evals, f.xmin);
  return f;
}

}  // namespace setol
