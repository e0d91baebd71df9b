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

// A 64-bit seed for one permutation, mixed from the run seed and where it is used
// (SplitMix64 finaliser), so every layer, slice and replica has its own stream.
std::uint64_t permutation_seed(std::uint64_t seed, int layer_id, int slice, int replica, int purpose);

}  // namespace setol::pipeline
