// What a tensor is to the analysis, decided from its shape, dtype, name and layout.
#include <algorithm>
#include <cctype>
#include <cmath>

#include "setol/layer.hpp"

namespace setol {

std::string_view layer_type_name(LayerType t) {
  switch (t) {
    case LayerType::Dense: return "dense";
    case LayerType::Embedding: return "embedding";
    case LayerType::Conv1D: return "conv1d";
    case LayerType::Conv2D: return "conv2d";
    case LayerType::NotALayer: break;
  }
  return "none";
}

double LayerGeometry::conv_scale(bool pooled) const {
  if (!is_conv()) return 1.0;
  return std::sqrt((pooled ? 1.0 : static_cast<double>(rf)) / 2.0);
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The last dotted/slashed component of a name: "encoder.fc1.bias" -> "bias".
std::string leaf(const std::string& name) {
  auto k = name.find_last_of("./");
  std::string s = k == std::string::npos ? name : name.substr(k + 1);
  if (auto c = s.find(':'); c != std::string::npos) s.erase(c);
  return s;
}

bool contains_any(const std::string& s, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&](const char* w) { return s.find(w) != std::string::npos; });
}

}  // namespace

LayerGeometry classify_tensor(const TensorInfo& t) {
  LayerGeometry g;
  const std::string name = lower(t.name);
  const std::string last = leaf(name);
  if (!t.role.empty()) {
    g.role = t.role;
    return g;
  }
  if (t.dtype == DType::Other) {
    g.role = "non-float";
    return g;
  }
  if (last == "bias" || (last == "b" && t.shape.size() < 2) || contains_any(last, {"running_mean", "running_var", "num_batches", "moving_"})) {
    g.role = "bias";
    return g;
  }
  if (contains_any(name, {"norm", "ln_", ".ln", "layernorm", "batchnorm", "bn."}) && t.shape.size() < 2) {
    g.role = "norm";
    return g;
  }
  const auto& s = t.shape;
  for (auto d : s)
    if (d <= 0) {
      g.role = "empty";
      return g;
    }
  if (s.size() == 2) {
    g.type = contains_any(name, {"embed", "embd", "wte", "wpe", "tok_emb", "pos_emb"}) ? LayerType::Embedding : LayerType::Dense;
    g.N = std::max(s[0], s[1]);
    g.M = std::min(s[0], s[1]);
    return g;
  }
  if (s.size() == 3 || s.size() == 4) {
    std::int64_t out, in;
    if (s.size() == 3) {  // PyTorch Conv1d (out, in, k), or Keras (k, in, out)
      g.type = LayerType::Conv1D;
      if (t.layout == Layout::Keras) {
        g.kw = s[0], in = s[1], out = s[2];
      } else {
        out = s[0], in = s[1], g.kw = s[2];
      }
    } else {
      g.type = LayerType::Conv2D;
      if (t.layout == Layout::Keras) {
        g.kh = s[0], g.kw = s[1], in = s[2], out = s[3];
      } else {
        out = s[0], in = s[1], g.kh = s[2], g.kw = s[3];
      }
    }
    g.rf = g.kh * g.kw;
    g.N = std::max(out, in);
    g.M = std::min(out, in);
    return g;
  }
  g.role = std::to_string(s.size()) + "-D";
  return g;
}

std::vector<MatrixView> layer_matrices(const TensorInfo& t, const LayerGeometry& g,
                                       const std::vector<std::int64_t>& st) {
  std::vector<MatrixView> out;
  const auto& s = t.shape;
  if (g.type == LayerType::Dense || g.type == LayerType::Embedding) {
    out.push_back({0, s[0], s[1], st[0], st[1]});
    return out;
  }
  if (!g.is_conv()) return out;
  // Axis positions of (out-or-in rows, cols, kh, kw) for each layout; a 3-D tensor has no kh axis.
  const bool keras = t.layout == Layout::Keras;
  const bool three = s.size() == 3;
  for (std::int64_t i = 0; i < g.kh; ++i) {
    for (std::int64_t j = 0; j < g.kw; ++j) {
      MatrixView v;
      if (keras) {  // (kh, kw, in, out) or (k, in, out): slice is in x out
        const std::size_t a = three ? 1 : 2;
        v.rows = s[a], v.cols = s[a + 1], v.row_stride = st[a], v.col_stride = st[a + 1];
        v.offset = three ? j * st[0] : i * st[0] + j * st[1];
      } else {  // (out, in, kh, kw) or (out, in, k): slice is out x in
        v.rows = s[0], v.cols = s[1], v.row_stride = st[0], v.col_stride = st[1];
        v.offset = three ? j * st[2] : i * st[2] + j * st[3];
      }
      out.push_back(v);
    }
  }
  return out;
}

}  // namespace setol
