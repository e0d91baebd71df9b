// `setol describe`: one row per tensor of a model, with what analyze would do with it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "setol/analyze.hpp"

namespace setol {

struct TensorRow {
  int layer_id = 0;
  std::string name;
  std::vector<std::int64_t> shape;
  std::string dtype;                  // as the file spells it
  LayerGeometry geometry;
  std::int64_t num_evals = 0;
  std::string analysis;               // "analyze", "skipped: ...", "not selected", "not a layer (<role>)"
};

// Every tensor in model order, under the layer filters of `opt`. Reads no tensor data.
std::vector<TensorRow> describe_tensors(const ModelReader& model, const AnalyzeOptions& opt);

}  // namespace setol
