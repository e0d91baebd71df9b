// Which tensors become rows, and which rows are skipped by the size filters
// (WeightWatcher.layer_supported, but reported as rows with a reason instead of dropped).
#include <fnmatch.h>

#include <algorithm>
#include <charconv>

#include "setol/analyze.hpp"
#include "setol/error.hpp"

namespace setol {
namespace {

bool selected(const std::vector<std::string>& sel, int id, const std::string& name) {
  if (sel.empty()) return true;
  for (const auto& s : sel) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) {
      if (v == id) return true;
    } else if (fnmatch(s.c_str(), name.c_str(), 0) == 0) {
      return true;
    }
  }
  return false;
}

// The first size filter that applies, in WeightWatcher's order, or "".
std::string skip_reason(const LayerRecord& r, DType stored, const AnalyzeOptions& opt) {
  if (stored == DType::Unsupported) return "unsupported quantization " + r.dtype;
  if (stored == DType::Integer) return "integer tensor without a known scale";
  const auto& g = r.geometry;
  const bool sliced = r.slice_id.has_value();
  const bool low_rank = !sliced && r.num_evals != g.M * g.rf;  // a LoRA product
  const std::string count = sliced     ? "M = " + std::to_string(g.M)
                            : low_rank ? "rank = " + std::to_string(r.num_evals)
                                       : "M*rf = " + std::to_string(g.M) + "*" + std::to_string(g.rf) + " = " +
                                             std::to_string(r.num_evals);
  if (opt.min_evals > 0 && r.num_evals < opt.min_evals)
    return "too few eigenvalues (" + count + " < min_evals " + std::to_string(opt.min_evals) + ")";
  if (opt.max_evals > 0 && r.num_evals > opt.max_evals)
    return "too many eigenvalues (" + count + " > max_evals " + std::to_string(opt.max_evals) + ")";
  if (opt.max_n > 0 && g.N > opt.max_n)
    return "N = " + std::to_string(g.N) + " > max_n " + std::to_string(opt.max_n);
  return "";
}

}  // namespace

std::vector<LayerRecord> plan_layers(const ModelReader& model, const AnalyzeOptions& opt) {
  std::vector<LayerRecord> out;
  const auto& tensors = model.tensors();
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const TensorInfo& t = tensors[i];
    const LayerGeometry g = classify_tensor(t);
    if (g.type == LayerType::NotALayer) continue;
    const int id = static_cast<int>(i);
    if (!selected(opt.layers, id, t.name)) continue;
    LayerRecord base;
    base.layer_id = id;
    base.tensor_index = i;
    base.name = t.name;
    base.geometry = g;
    base.shape = t.shape;
    base.dtype = t.dtype_text.empty() ? std::string(dtype_name(t.dtype)) : t.dtype_text;
    const int slices = static_cast<int>(g.slices(opt.pool));
    for (int s = 0; s < slices; ++s) {
      LayerRecord r = base;
      if (!opt.pool && g.is_conv()) r.slice_id = s;
      r.num_evals = t.rank > 0 ? std::min(t.rank, g.M) : g.num_evals(opt.pool);  // a LoRA product: rank r
      if (auto why = skip_reason(r, t.dtype, opt); !why.empty()) {
        r.status = LayerStatus::Skipped;
        r.reason = why;
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace setol
