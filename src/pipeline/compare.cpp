// setol compare: match the layers of two checkpoints, analyze both and their difference.
#include <map>
#include <mutex>
#include <set>

#include "setol/compare.hpp"
#include "setol/error.hpp"

namespace setol {
namespace {

// The layer tensors W_other - W_base of the matched pairs, as a model of its own, so that the
// usual pipeline (filters, scheduler, every option) analyzes the differences. Loading a
// difference also measures the pair's distances.
class DeltaModel final : public ModelReader {
 public:
  struct Pair {
    std::size_t base = 0, other = 0;  // tensor indices
    bool transpose = false;           // OTHER stores the 2-D matrix transposed (e.g. Keras vs PyTorch)
    LayerGeometry geometry;
  };
  DeltaModel(const ModelReader& base, const ModelReader& other, std::vector<Pair> pairs)
      : base_(base), other_(other), pairs_(std::move(pairs)), distances_(pairs_.size()) {
    for (const auto& p : pairs_) {
      TensorInfo t = base.tensors()[p.base];
      t.dtype = DType::F64;
      t.dtype_text = "F64";
      t.big_endian = t.fortran_order = false;
      t.strides.clear();
      tensors_.push_back(std::move(t));
    }
  }
  std::string format() const override { return "delta"; }
  const std::vector<TensorInfo>& tensors() const override { return tensors_; }
  TensorData load(std::size_t i) const override {
    const Pair& p = pairs_.at(i);
    const std::vector<double> b = to_f64(base_.load(p.base));
    std::vector<double> o = to_f64(other_.load(p.other));
    if (p.transpose) {  // 2-D: OTHER is (cols, rows) of BASE's (rows, cols)
      const auto rows = tensors_[i].shape[0], cols = tensors_[i].shape[1];
      std::vector<double> t(o.size());
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < cols; ++c) t[static_cast<std::size_t>(r * cols + c)] = o[static_cast<std::size_t>(c * rows + r)];
      o.swap(t);
    }
    auto diff = std::make_shared<std::vector<double>>(o.size());
    for (std::size_t k = 0; k < o.size(); ++k) (*diff)[k] = o[k] - b[k];
    const Distances d = layer_distances(b, o, tensors_[i], p.geometry);
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      distances_[i] = d;
    }
    const auto* bytes = reinterpret_cast<const std::byte*>(diff->data());
    return TensorData(tensors_[i], bytes, diff);
  }
  std::optional<Distances> distances(std::size_t i) const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return distances_[i];
  }

 private:
  const ModelReader& base_;
  const ModelReader& other_;
  std::vector<Pair> pairs_;
  std::vector<TensorInfo> tensors_;
  mutable std::mutex mutex_;
  mutable std::vector<std::optional<Distances>> distances_;
};

std::string key(const LayerRecord& r) { return r.name + (r.slice_id ? "#" + std::to_string(*r.slice_id) : ""); }

std::string shape_text(const std::vector<std::int64_t>& s) {
  std::string t;
  for (auto d : s) t += (t.empty() ? "" : "x") + std::to_string(d);
  return t;
}

}  // namespace

Comparison compare_models(const ModelReader& base, const ModelReader& other, const AnalyzeOptions& opt,
                          const std::function<void()>& on_done) {
  Comparison c;
  c.base = plan_layers(base, opt);
  c.other = plan_layers(other, opt);

  // Pairs of record indices: by name (and slice), or by position when no name is shared.
  std::map<std::string, std::size_t> other_by_key;
  for (std::size_t j = 0; j < c.other.size(); ++j) other_by_key.emplace(key(c.other[j]), j);
  std::vector<std::optional<std::size_t>> match(c.base.size());
  std::size_t shared = 0;
  for (std::size_t i = 0; i < c.base.size(); ++i)
    if (auto it = other_by_key.find(key(c.base[i])); it != other_by_key.end()) match[i] = it->second, ++shared;
  if (shared == 0 && !c.base.empty() && c.base.size() == c.other.size()) {
    c.by_position = true;
    for (std::size_t i = 0; i < c.base.size(); ++i) match[i] = i;
  }

  // The difference tensors: one per matched tensor pair whose shapes agree.
  std::vector<DeltaModel::Pair> pairs;
  std::map<std::size_t, std::size_t> pair_of_base_tensor;
  std::vector<std::string> problem(c.base.size());
  for (std::size_t i = 0; i < c.base.size(); ++i) {
    if (!match[i]) continue;
    const LayerRecord& b = c.base[i];
    const LayerRecord& o = c.other[*match[i]];
    const auto& bs = b.shape;
    const auto& os = o.shape;
    const bool same = bs == os && base.tensors()[b.tensor_index].layout == other.tensors()[o.tensor_index].layout;
    const bool transposed = !same && bs.size() == 2 && os.size() == 2 && bs[0] == os[1] && bs[1] == os[0];
    if (!same && !transposed) {
      problem[i] = "error: shapes differ (" + shape_text(bs) + " vs " + shape_text(os) + ")";
      continue;
    }
    if (b.status != LayerStatus::Pending || o.status != LayerStatus::Pending) continue;  // skipped: no difference
    if (!pair_of_base_tensor.count(b.tensor_index)) {
      pair_of_base_tensor[b.tensor_index] = pairs.size();
      pairs.push_back({b.tensor_index, o.tensor_index, transposed, b.geometry});
    }
  }
  DeltaModel delta(base, other, pairs);
  c.delta = plan_layers(delta, opt);

  std::vector<ModelWork> work = {{&base, &c.base, {}}, {&other, &c.other, {}}, {&delta, &c.delta, {}}};
  analyze_models(work, opt, [&](const LayerRecord&) {
    if (on_done) on_done();
  }, false);

  // Rows in BASE's order, then the layers only in OTHER.
  std::map<std::string, const LayerRecord*> delta_by_key;
  for (const auto& d : c.delta) delta_by_key[key(d)] = &d;
  std::set<std::size_t> used;
  for (std::size_t i = 0; i < c.base.size(); ++i) {
    CompareRow row;
    row.name = c.base[i].name;
    row.base = &c.base[i];
    if (match[i]) {
      row.other = &c.other[*match[i]];
      used.insert(*match[i]);
    }
    if (!problem[i].empty()) {
      row.status = problem[i];
    } else if (!row.other) {
      row.status = "unmatched: only in base";
    } else {
      if (auto it = delta_by_key.find(key(c.base[i])); it != delta_by_key.end()) row.delta = it->second;
      if (auto p = pair_of_base_tensor.find(c.base[i].tensor_index); p != pair_of_base_tensor.end())
        row.distances = delta.distances(p->second);
      if (row.base->status == LayerStatus::Skipped) row.status = row.base->status_text();
      else if (row.other->status == LayerStatus::Skipped) row.status = row.other->status_text();
      else if (!row.base->has_metrics() || !row.other->has_metrics())
        row.status = "error: " + (!row.base->has_metrics() ? "base " + row.base->status_text() : "other " + row.other->status_text());
      else row.status = "success";
    }
    c.rows.push_back(std::move(row));
  }
  for (std::size_t j = 0; j < c.other.size(); ++j) {
    if (used.count(j)) continue;
    CompareRow row;
    row.name = c.other[j].name;
    row.other = &c.other[j];
    row.status = "unmatched: only in other";
    c.rows.push_back(std::move(row));
  }
  return c;
}

}  // namespace setol
