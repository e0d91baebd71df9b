// The record of one analyzed layer (or one Conv2D slice with --no-pool). It is created
// by the planner from the loader's tensor list, filled by the spectrum and fitting
// stages, and read by the reports: data flows one way.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "setol/ecs.hpp"
#include "setol/htmp.hpp"
#include "setol/layer.hpp"
#include "setol/metrics.hpp"
#include "setol/powerlaw.hpp"
#include "setol/rmt.hpp"

namespace setol {

enum class LayerStatus { Pending, Success, Failed, Skipped, Error };

struct LayerRecord {
  // Identity (from the loader and the planner)
  std::string model;                // the input as given (batch runs and compare; empty otherwise)
  int layer_id = 0;                 // index of the tensor in the model's tensor list
  std::optional<int> slice_id;      // with --no-pool only: kernel position i*kw + j
  std::size_t tensor_index = 0;
  std::string name;
  LayerGeometry geometry;
  std::vector<std::int64_t> shape;
  std::string dtype;

  // Outcome
  LayerStatus status = LayerStatus::Pending;
  std::string reason;               // for skipped / error: why

  // Results (present when status is Success or Failed)
  std::int64_t num_evals = 0;
  std::optional<ScaleMetrics> scale;
  double sv_max = 0, sv_min = 0;
  std::int64_t rank_loss = 0;
  PowerLawFit fit;
  double alpha_weighted = 0;        // alpha * log10(lambda_max)
  double log_alpha_norm = 0;        // log10(sum lambda^alpha)
  std::vector<double> evals;        // ascending; kept for --dump-esd

  // Diagnostics (present when asked for and the layer has metrics)
  std::optional<MpFit> mp;          // --mp-fit
  struct Randomized {
    double max_rand_eval = 0;       // largest eigenvalue of the permuted matrices (all replicas)
    double rand_distance = 0;       // Jensen-Shannon distance ESD vs one more permutation's ESD
    double ww_softrank = 0;         // max of that permutation's ESD / lambda_max
    double ww_maxdist = 0;          // lambda_max - max of that permutation's ESD
    MpFit mp;                       // MP fit of the permuted ESD (rand_* columns)
    std::vector<double> evals;      // the permuted ESD (replicas pooled), ascending
  };
  std::optional<Randomized> randomized;  // --randomize
  std::optional<DetX> detx;         // --detx (computed for --setol too)
  std::optional<EcsMeasures> ecs;   // --setol or --detx
  std::optional<htmp::Fit> htmp;    // --htmp
  SpectralEntropies entropies;      // always, with the scale metrics

  // Where the time went (seconds), for --profile.
  struct Timings {
    double load = 0, spectrum = 0, fit = 0, diagnostics = 0;
    int svd_slices = 0;             // slices that needed the SVD route (rank-deficient)
  } timings;

  double Q() const { return geometry.M == 0 ? -1.0 : static_cast<double>(geometry.N) / geometry.M; }
  bool has_metrics() const { return status == LayerStatus::Success || status == LayerStatus::Failed; }
  // "success", "failed", "skipped: <reason>", "error: <reason>"
  std::string status_text() const;
  std::string warning() const;      // from alpha, as WeightWatcher (empty when no metrics)
  // The correlation-trap flag: a permuted eigenvalue beyond the permuted MP bulk edge + TW margin.
  std::optional<bool> correlation_trap() const;
};

}  // namespace setol
