// Optional per-layer diagnostics run after the ESD: MP fit, randomisation (correlation
// traps) and detX (internal to the pipeline).
#pragma once
#include <vector>

#include "setol/analyze.hpp"

namespace setol::pipeline {

// Fills record.mp / record.randomized / record.detx as the options ask. `views` and
// `scale` are the matrices and conv scaling the ESD was computed from.
void run_diagnostics(const TensorData& t, const std::vector<MatrixView>& views, double scale, LayerRecord& r,
                     const AnalyzeOptions& opt);

// The random streams of one layer. The values are part of the seed: changing them changes
// every seeded report.
enum class RandomStream : int {
  Permutation = 0,          // the permuted ESD (max_rand_eval, rand_* MP fit)
  DistancePermutation = 1,  // the extra permutation of rand_distance / ww_* when there are replicas
  HtmpBootstrap = 2,        // the parametric bootstrap of htmp_kappa_se
};

// A 64-bit seed for one stream, mixed from the run seed and where it is used (SplitMix64
// finaliser), so every layer, slice, replica and stream has its own sequence.
std::uint64_t stream_seed(std::uint64_t seed, int layer_id, int slice, int replica, RandomStream stream);

}  // namespace setol::pipeline
