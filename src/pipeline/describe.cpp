// The rows of `setol describe`: every tensor, and what analyze would do with it under the
// same layer filters. Reads no tensor data.
#include "setol/analyze.hpp"
#include "setol/describe.hpp"

namespace setol {

std::vector<TensorRow> describe_tensors(const ModelReader& model, const AnalyzeOptions& opt) {
  const auto planned = plan_layers(model, opt);
  const auto& tensors = model.tensors();
  std::vector<TensorRow> rows;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const TensorInfo& t = tensors[i];
    TensorRow r{static_cast<int>(i), t.name, t.shape, t.dtype_text, classify_tensor(t), 0, ""};
    if (r.geometry.type == LayerType::NotALayer) {
      r.analysis = "not a layer (" + r.geometry.role + ")";
    } else {
      r.analysis = "not selected";
      for (const auto& p : planned) {
        if (p.tensor_index != i) continue;
        r.num_evals += p.num_evals;
        r.analysis = p.status == LayerStatus::Skipped ? p.status_text() : "analyze";
      }
      if (r.num_evals == 0) r.num_evals = r.geometry.num_evals(true);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace setol
