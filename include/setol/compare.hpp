// Comparing two checkpoints (`setol compare BASE OTHER`): layers matched by name (by position
// when the two share no name), both analyzed, their metric deltas, WeightWatcher's distances()
// and the spectral analysis of the difference W_other - W_base (WeightWatcher's base_model=
// delta analysis).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "setol/analyze.hpp"
#include "setol/model_reader.hpp"

namespace setol {

// WeightWatcher.distances() between the two weights of a layer (docs/metrics.md, "compare"):
// delta_W = ||W_o - W_b||_F over the whole tensor ('raw'); euclidean = the mean over the
// layer's matrices (kh*kw slices, unscaled) of ||W_o,k - W_b,k||_F; cka = the mean over the
// matrices of ||A^T B||_F / sqrt(||A^T A||_F ||B^T B||_F), A = W_b,k, B = W_o,k (rows as samples).
struct Distances {
  double delta_W = 0, euclidean = 0, cka = 0;
};
Distances layer_distances(const std::vector<double>& base, const std::vector<double>& other, const TensorInfo& info,
                          const LayerGeometry& g);

// One row of a comparison: a layer of both models, or of one only.
struct CompareRow {
  std::string name;
  const LayerRecord* base = nullptr;   // null: only in OTHER
  const LayerRecord* other = nullptr;  // null: only in BASE
  const LayerRecord* delta = nullptr;  // the analysis of W_other - W_base, when both could be read
  std::optional<Distances> distances;
  std::string status;  // "success", "unmatched: only in base", "error: shapes differ ...", "skipped: ..."
};

struct Comparison {
  std::vector<LayerRecord> base, other, delta;  // the three analyses
  std::vector<CompareRow> rows;                 // in BASE's order, then layers only in OTHER
  bool by_position = false;                     // no shared names: layers matched by position
};

// Runs the comparison; `on_done` is called as each of the three analyses finishes a layer.
Comparison compare_models(const ModelReader& base, const ModelReader& other, const AnalyzeOptions& opt,
                          const std::function<void()>& on_done = {});

}  // namespace setol
