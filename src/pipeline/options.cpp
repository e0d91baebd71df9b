// The analysis options, declared once (see setol/options.hpp): order here is the order of
// --help, the man page and the report's "options" object.
#include "setol/options.hpp"

#include "setol/analyze.hpp"

namespace setol {
namespace {

using Spec = OptionSpec<AnalyzeOptions>;
using O = AnalyzeOptions;

std::vector<Spec> build_specs() {
  auto tail = [](auto TailFitOptions::*m) {
    using V = std::remove_reference_t<decltype(std::declval<TailFitOptions&>().*m)>;
    return std::function<V&(O&)>([m](O& o) -> V& { return o.tail.*m; });
  };
  std::vector<Spec> s;
  s.push_back({.flags = "--min-evals", .key = "min_evals",
               .help = "Skip (with a status row) layers with fewer eigenvalues; 0 disables",
               .field = member(&O::min_evals), .min = 0, .for_describe = true, .value_name = "N"});
  s.push_back({.flags = "--max-evals", .key = "max_evals", .help = "Skip layers with more eigenvalues; 0 = no limit",
               .field = member(&O::max_evals), .min = 0, .for_describe = true, .value_name = "N"});
  s.push_back({.flags = "--max-n", .key = "max_n", .help = "Skip layers whose larger dimension N exceeds this; 0 = no limit",
               .field = member(&O::max_n), .min = 0, .for_describe = true, .value_name = "N"});
  s.push_back({.flags = "--pool,!--no-pool", .key = "pool",
               .help = "Pool the kh*kw slices of a convolution into one ESD (default), or analyze each slice",
               .field = member(&O::pool), .for_describe = true});
  s.push_back({.flags = "--threads", .key = "threads", .help = "Threads for the eigensolver; 0 = all cores",
               .field = member(&O::threads), .min = 0, .run_only = true, .value_name = "N"});
  s.push_back({.flags = "--max-memory", .key = "max_memory",
               .help = "Memory budget of the layers computed at once (K/M/G/T suffixes); a layer that needs more "
                       "is skipped with a status. Default: 3/4 of the available RAM",
               .field = member(&O::max_memory), .run_only = true, .value_name = "SIZE"});
  s.push_back({.flags = "--layers", .key = "layers",
               .help = "Only these layers: ids or name globs (repeat or separate with commas)",
               .field = member(&O::layers), .for_describe = true, .value_name = "IDS|GLOBS"});
  s.push_back({.flags = "--fit", .key = "fit",
               .help = "Tail distribution: PL (power law, default) or TPL (truncated power law, adds Lambda)",
               .field = enum_choice<O>(kTailDistributionNames, tail(&TailFitOptions::distribution))});
  s.push_back({.flags = "--fix-fingers", .key = "fix_fingers",
               .help = "xmin_peak: look for xmin near the peak of the log-ESD; clip_xmax: drop top outliers "
                       "(adds num_fingers, raw_alpha)",
               .field = enum_choice<O>(kFixFingersNames, tail(&TailFitOptions::fix_fingers))});
  s.push_back({.flags = "--xmin-max", .key = "xmin_max",
               .help = "xmin_peak: upper end of the xmin window (default 1.5 x peak)",
               .field = tail(&TailFitOptions::xmin_max), .min = std::numeric_limits<double>::min(),
               .zero_is_unset = true, .value_name = "X"});
  s.push_back({.flags = "--max-fingers", .key = "max_fingers", .help = "clip_xmax: most eigenvalues removed",
               .field = tail(&TailFitOptions::max_fingers), .min = 1, .max = 1000000, .value_name = "N"});
  s.push_back({.flags = "--finger-thresh", .key = "finger_thresh",
               .help = "clip_xmax: alpha must fall by more than this", .field = tail(&TailFitOptions::finger_thresh),
               .min = 0, .value_name = "X"});
  s.push_back({.flags = "--xmin-peak-ww-window", .key = "xmin_peak_ww_window",
               .help = "xmin_peak: use WeightWatcher 0.7.5.5's window (log10(0.95 peak), xmin_max] instead of "
                       "[0.95 peak, xmin_max]",
               .field = tail(&TailFitOptions::ww_xmin_peak_window)});
  s.push_back({.flags = "--mp-fit", .key = "mp_fit",
               .help = "Fit the Marchenko-Pastur bulk (num_spikes, sigma_mp, mp_softrank, bulk_min/max)",
               .field = member(&O::mp_fit)});
  s.push_back({.flags = "--randomize", .key = "randomize",
               .help = "Compare with the element-permuted matrix: rand_* columns and the correlation_trap flag",
               .field = member(&O::randomize)});
  s.push_back({.flags = "--seed", .key = "seed", .help = "Seed of the permutations (recorded in the report)",
               .field = member(&O::seed), .value_name = "N"});
  s.push_back({.flags = "--detx", .key = "detx",
               .help = "detX / ERG condition: detX_num, detX_val, detX_val_unrescaled (+ ERG columns)",
               .field = member(&O::detx)});
  s.push_back({.flags = "--setol", .key = "setol",
               .help = "SETOL ERG/ECS measures (erg_*, delta_lambda_min, ecs_rank) and experimental quality_* columns",
               .field = member(&O::setol)});
  s.push_back({.flags = "--htmp", .key = "htmp",
               .help = "Fit the HTMP kappa of each ESD (htmp_kappa, htmp_kappa_se, htmp_D, ...)",
               .field = member(&O::htmp)});
  s.push_back({.flags = "--precision", .key = "precision",
               .help = "f64 (default, WeightWatcher parity) or f32 (about 1.8x faster on large layers; alpha within "
                       "~1e-4, rank counts approximate)",
               .field = enum_choice<O>(kPrecisionNames, member(&O::precision))});
  return s;
}

}  // namespace

const std::vector<OptionSpec<AnalyzeOptions>>& analyze_option_specs() {
  static const std::vector<Spec> specs = build_specs();
  return specs;
}

nlohmann::ordered_json to_json(const AnalyzeOptions& o) {
  nlohmann::ordered_json j = options_json(o, analyze_option_specs());
  j["xmin_threshold"] = kFitEvalsThreshold;
  j["conv2d_norm"] = true;
  return j;
}

void validate(const AnalyzeOptions& o) {
  if (!o.max_memory.empty()) parse_size(o.max_memory, "--max-memory");
  if (o.tail.distribution == TailDistribution::TruncatedPowerLaw && o.tail.fix_fingers == FixFingers::ClipXmax)
    throw UsageError("--fit TPL cannot be combined with --fix-fingers clip_xmax");
}

}  // namespace setol
