// LoRA products as tensors of a model view (see setol/lora.hpp).
#include "setol/lora.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "setol/error.hpp"

namespace setol {
namespace {

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.rfind(from);
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

struct Scale {
  double value = 1;
  std::string source = "none (no adapter_config.json): 1";
};

Scale read_scale(const std::filesystem::path& input) {
  std::error_code ec;
  const auto dir = std::filesystem::is_directory(input, ec) ? input : input.parent_path();
  const auto file = (dir.empty() ? std::filesystem::path(".") : dir) / "adapter_config.json";
  Scale s;
  if (!std::filesystem::is_regular_file(file, ec)) return s;
  std::ifstream in(file);
  // Depth-limited: a config nested deeper than a few levels is not a PEFT config.
  std::size_t depth = 0;
  bool too_deep = false;
  const auto j = nlohmann::json::parse(
      in,
      [&](int, nlohmann::json::parse_event_t e, nlohmann::json&) {
        if (e == nlohmann::json::parse_event_t::object_start || e == nlohmann::json::parse_event_t::array_start)
          too_deep |= ++depth > 32;
        else if (e == nlohmann::json::parse_event_t::object_end || e == nlohmann::json::parse_event_t::array_end)
          --depth;
        return !too_deep;
      },
      false);
  if (too_deep || j.is_discarded() || !j.is_object()) throw InputError(file.string(), "not a valid adapter_config.json");
  const auto alpha = j.find("lora_alpha");
  const auto r = j.find("r");
  if (alpha == j.end() || r == j.end() || !alpha->is_number() || !r->is_number() || r->get<double>() <= 0)
    throw InputError(file.string(), "adapter_config.json has no numeric lora_alpha and r > 0");
  const bool rs = j.value("use_rslora", false);
  const double a = alpha->get<double>(), rank = r->get<double>();
  s.value = rs ? a / std::sqrt(rank) : a / rank;
  auto num = [](double v) {
    std::string t = nlohmann::json(v).dump();
    return t;
  };
  s.source = "adapter_config.json: lora_alpha " + num(a) + (rs ? " / sqrt(r " : " / r ") + num(rank) + (rs ? ")" : "");
  return s;
}

// The module path of a PEFT tensor name: "base_model.model.x.y.lora_A.weight" -> "x.y".
std::string module_of(const std::string& lora_name) {
  std::string m = lora_name.substr(0, lora_name.rfind(".lora_A"));
  for (const char* prefix : {"base_model.model.", "base_model."})
    if (m.rfind(prefix, 0) == 0) {
      m = m.substr(std::string(prefix).size());
      break;
    }
  return m;
}

// The base weight of a module: "<m>.weight", "<m>.base_layer.weight", or the one base tensor
// whose name ends with ".<m>.weight".
std::optional<std::size_t> find_base_weight(const ModelReader& base, const std::string& module) {
  const auto& ts = base.tensors();
  for (const std::string& want : {module + ".weight", module + ".base_layer.weight", "model." + module + ".weight"})
    for (std::size_t i = 0; i < ts.size(); ++i)
      if (ts[i].name == want) return i;
  std::optional<std::size_t> found;
  const std::string tail = "." + module + ".weight";
  for (std::size_t i = 0; i < ts.size(); ++i) {
    const auto& n = ts[i].name;
    if (n.size() > tail.size() && n.compare(n.size() - tail.size(), tail.size(), tail) == 0) {
      if (found) return std::nullopt;  // ambiguous
      found = i;
    }
  }
  return found;
}

class LoraView final : public ModelReader {
 public:
  struct Product {
    std::size_t a = 0, b = 0;               // tensor indices of lora_A (r x in) and lora_B (out x r)
    bool a_transposed = false;              // A stored as (in x r)
    bool b_transposed = false;              // B stored as (r x out)
    std::int64_t rank = 0, rows = 0, cols = 0;
    std::optional<std::size_t> base;        // W of the base model (with --base)
    bool base_transposed = false;           // W stored as (in x out)
    bool plus_base = false;                 // this entry is W + dW, not dW
  };

  LoraView(std::unique_ptr<ModelReader> adapter, std::shared_ptr<const ModelReader> base, Scale scale)
      : adapter_(std::move(adapter)), base_(std::move(base)), scale_(std::move(scale)), tensors_(adapter_->tensors()) {}

  void add(std::size_t slot, Product p, const std::string& name) {
    TensorInfo t;
    t.name = name;
    t.shape = {p.rows, p.cols};
    t.dtype = DType::F64;
    t.dtype_text = "F64";
    t.source = tensors_[slot].source;
    t.rank = p.plus_base ? 0 : p.rank;
    tensors_[slot] = std::move(t);
    products_[slot] = p;
  }
  // A factor that is not replaced (lora_B without --base) is listed but not a layer.
  void mark_factor(std::size_t slot) { tensors_[slot].role = "lora factor"; }
  std::size_t pairs() const { return pairs_; }
  void count_pair() { ++pairs_; }

  std::string format() const override { return adapter_->format(); }
  const std::vector<TensorInfo>& tensors() const override { return tensors_; }
  std::vector<std::pair<std::string, std::string>> metadata() const override {
    auto m = adapter_->metadata();
    m.emplace_back("lora_pairs", std::to_string(pairs_));
    m.emplace_back("lora_scale", nlohmann::json(scale_.value).dump());
    m.emplace_back("lora_scale_source", scale_.source);
    return m;
  }

  TensorData load(std::size_t i) const override {
    const auto it = products_.find(i);
    if (it == products_.end()) return adapter_->load(i);
    const Product& p = it->second;
    // B as rows x r and A as r x cols, row-major doubles.
    auto f = std::make_shared<LowRankFactors>();
    f->rows = p.rows, f->cols = p.cols, f->rank = p.rank, f->scale = scale_.value;
    f->left = oriented(adapter_->load(p.b), p.b_transposed);
    f->right = oriented(adapter_->load(p.a), p.a_transposed);
    auto dense = std::make_shared<std::vector<double>>(static_cast<std::size_t>(p.rows * p.cols), 0.0);
    for (std::int64_t r = 0; r < p.rows; ++r)
      for (std::int64_t k = 0; k < p.rank; ++k) {
        const double lk = f->scale * f->left[static_cast<std::size_t>(r * p.rank + k)];
        const double* right = f->right.data() + k * p.cols;
        double* row = dense->data() + r * p.cols;
        for (std::int64_t c = 0; c < p.cols; ++c) row[c] += lk * right[c];
      }
    if (p.plus_base) {
      const std::vector<double> w = oriented(base_->load(*p.base), p.base_transposed);
      for (std::size_t k = 0; k < w.size(); ++k) (*dense)[k] += w[k];
    }
    TensorData t(tensors_[i], reinterpret_cast<const std::byte*>(dense->data()), dense);
    if (!p.plus_base) t.set_low_rank(f);
    return t;
  }

 private:
  // A 2-D tensor as row-major doubles, transposed when it is stored the other way round.
  static std::vector<double> oriented(const TensorData& t, bool transposed) {
    std::vector<double> v = to_f64(t);
    if (!transposed) return v;
    const auto rows = t.info().shape[0], cols = t.info().shape[1];
    std::vector<double> out(v.size());
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < cols; ++c) out[static_cast<std::size_t>(c * rows + r)] = v[static_cast<std::size_t>(r * cols + c)];
    return out;
  }

  std::unique_ptr<ModelReader> adapter_;
  std::shared_ptr<const ModelReader> base_;
  Scale scale_;
  std::vector<TensorInfo> tensors_;
  std::map<std::size_t, Product> products_;
  std::size_t pairs_ = 0;
};

bool decodable_2d(const TensorInfo& t) { return t.shape.size() == 2 && dtype_size(t.dtype) > 0 && t.role.empty(); }

}  // namespace

std::unique_ptr<ModelReader> with_lora_products(std::unique_ptr<ModelReader> adapter, const std::filesystem::path& input,
                                                std::shared_ptr<const ModelReader> base) {
  const auto& ts = adapter->tensors();
  std::map<std::string, std::size_t> by_name;
  for (std::size_t i = 0; i < ts.size(); ++i) by_name.emplace(ts[i].name, i);
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    if (ts[i].name.find("lora_A") == std::string::npos) continue;
    const auto b = by_name.find(replace_once(ts[i].name, "lora_A", "lora_B"));
    if (b != by_name.end() && decodable_2d(ts[i]) && decodable_2d(ts[b->second])) pairs.emplace_back(i, b->second);
  }
  if (pairs.empty()) {
    if (base) throw InputError(input.string(), "--base: no LoRA pairs (<module>.lora_A / .lora_B) in this input");
    return adapter;
  }
  const std::string path = input.string();
  auto view = std::make_unique<LoraView>(std::move(adapter), base, read_scale(input));
  const auto& orig = ts;  // still owned by the view's adapter
  for (const auto& [ia, ib] : pairs) {
    const TensorInfo& A = orig[ia];
    const TensorInfo& B = orig[ib];
    LoraView::Product p{.a = ia, .b = ib};
    // PEFT stores A as (r, in) and B as (out, r); r is the smaller side of A.
    p.a_transposed = A.shape[0] > A.shape[1];
    p.rank = std::min(A.shape[0], A.shape[1]);
    const std::int64_t cols = p.a_transposed ? A.shape[0] : A.shape[1];
    if (B.shape[1] == p.rank) p.b_transposed = false;
    else if (B.shape[0] == p.rank) p.b_transposed = true;
    else throw InputError(path, "LoRA pair '" + one_line(A.name) + "': B's shape does not match A's rank");
    const std::int64_t rows = p.b_transposed ? B.shape[1] : B.shape[0];
    p.rows = rows, p.cols = cols;
    LoraView::Product plus = p;
    if (base) {
      const std::string module = module_of(A.name);
      const auto w = find_base_weight(*base, module);
      if (!w) throw InputError(path, "--base: no weight for LoRA module '" + one_line(module) + "' in the base model");
      const auto& ws = base->tensors()[*w].shape;
      if (ws == std::vector<std::int64_t>{rows, cols}) plus.base_transposed = false;
      else if (ws == std::vector<std::int64_t>{cols, rows}) plus.base_transposed = true;
      else
        throw InputError(path, "--base: the base weight of '" + one_line(module) + "' is not " + std::to_string(rows) +
                                   "x" + std::to_string(cols));
      plus.base = *w;
      plus.plus_base = true;
    }
    const std::string a_name = A.name, b_name = B.name;
    view->add(ia, p, replace_once(a_name, "lora_A", "lora_BA"));
    if (base) view->add(ib, plus, replace_once(b_name, "lora_B", "lora_W_plus_AB"));
    else view->mark_factor(ib);
    view->count_pair();
  }
  return view;
}

}  // namespace setol
