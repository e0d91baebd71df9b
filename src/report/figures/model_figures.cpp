// The model figures (docs/figures.md): alpha per layer with the 2-6 band, the alpha histogram,
// SETOL's alpha vs delta_lambda_min funnel, and each layer's alpha across checkpoints.
#include <algorithm>
#include <cmath>
#include <map>

#include "setol/figures.hpp"

namespace setol::fig {
namespace {

const char* const kSeries[] = {color::blue, color::orange, color::green, color::vermillion, color::purple, color::sky,
                               color::black, color::grey};

const char* series_color(std::size_t i) { return kSeries[i % (sizeof kSeries / sizeof kSeries[0])]; }

bool has_alpha(const LayerData& l) { return l.get("alpha") > 0; }

std::string short_name(const std::string& model) {
  std::string s = model;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  const auto slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

Figure alpha_per_layer(const std::vector<ModelRows>& models) {
  Figure f{.title = "alpha per layer (correlation flow)", .subtitle = "layers in model order; 2 ≤ α ≤ 6 shaded",
           .x = {"layer (model order)", Scale::Linear, {}, {}, true}, .y = {"α"}};
  f.bands.push_back({2, 6, color::green, "2 ≤ α ≤ 6"});
  for (std::size_t m = 0; m < models.size(); ++m) {
    Points p{.color = series_color(m), .label = models.size() > 1 ? short_name(models[m].model) : "layers"};
    Line l{.color = series_color(m), .width = 1};
    double k = 0;
    for (const auto& layer : models[m].layers) {
      ++k;
      if (!has_alpha(layer)) continue;
      p.x.push_back(k), p.y.push_back(layer.get("alpha"));
      l.x.push_back(k), l.y.push_back(layer.get("alpha"));
    }
    if (models.size() > 8) p.label.clear();
    f.lines.push_back(std::move(l));
    f.points.push_back(std::move(p));
  }
  return f;
}

Figure alpha_histogram(const std::vector<ModelRows>& models) {
  Figure f{.title = "distribution of alpha", .subtitle = "layers with a power-law fit", .x = {"α"},
           .y = {"layers", Scale::Linear, {}, {}, true}};
  std::vector<double> all;
  for (const auto& m : models)
    for (const auto& l : m.layers)
      if (has_alpha(l)) all.push_back(l.get("alpha"));
  if (all.empty()) return f;
  // Bins of 0.25 in alpha from floor(min) to ceil(max): counts, not densities.
  const double lo = std::floor(*std::min_element(all.begin(), all.end()));
  const double hi = std::max(lo + 1, std::ceil(*std::max_element(all.begin(), all.end())));
  Bars b{.color = color::blue, .opacity = 0.7, .label = ""};
  // A report edited by hand may hold absurd alphas: beyond 2^53 lo + 1 == lo (no bin at all),
  // and a spread over 1024 would need more than 4096 bins. No histogram then.
  if (!(hi - lo >= 1 && hi - lo <= 1024)) return f;
  const int n = static_cast<int>(std::round((hi - lo) / 0.25));
  for (int k = 0; k <= n; ++k) b.edges.push_back(lo + 0.25 * k);
  b.heights.assign(static_cast<std::size_t>(n), 0);
  for (double a : all) b.heights[static_cast<std::size_t>(std::min(n - 1, static_cast<int>((a - lo) / 0.25)))] += 1;
  f.bars.push_back(std::move(b));
  f.markers.push_back({2, color::grey, true, "α = 2 and 6"});
  f.markers.push_back({6, color::grey, true, ""});
  return f;
}

// SETOL Sec. 6.3: well-trained layers gather where alpha is near 2 and delta_lambda_min near 0.
Figure funnel(const std::vector<ModelRows>& models) {
  Figure f{.title = "α against Δλ_min (SETOL)", .subtitle = "one point per layer; ideal learning near α = 2, Δλ_min = 0",
           .x = {"Δλ_min (PL tail start − ERG tail start, mean-1 units)"}, .y = {"α"}};
  for (std::size_t m = 0; m < models.size(); ++m) {
    Points p{.color = series_color(m), .label = models.size() > 1 ? short_name(models[m].model) : ""};
    for (const auto& l : models[m].layers)
      if (has_alpha(l) && std::isfinite(l.get("delta_lambda_min")))
        p.x.push_back(l.get("delta_lambda_min")), p.y.push_back(l.get("alpha"));
    f.points.push_back(std::move(p));
  }
  f.markers.push_back({0, color::grey, true, "Δλ_min = 0"});
  return f;
}

Figure across_checkpoints(const std::vector<ModelRows>& models) {
  Figure f{.title = "alpha of each layer across the inputs", .subtitle = "inputs in the report's order",
           .x = {"input (1 = first)", Scale::Linear, {}, {}, true}, .y = {"α"}};
  f.bands.push_back({2, 6, color::green, ""});
  std::map<std::string, std::size_t> order;
  std::vector<std::string> names;
  for (const auto& m : models)
    for (const auto& l : m.layers)
      if (order.emplace(l.text.at("name"), names.size()).second) names.push_back(l.text.at("name"));
  for (std::size_t i = 0; i < names.size(); ++i) {
    Line line{.color = series_color(i), .width = 1.5, .label = names.size() <= 6 ? names[i] : ""};
    for (std::size_t m = 0; m < models.size(); ++m)
      for (const auto& l : models[m].layers)
        if (l.text.at("name") == names[i] && has_alpha(l))
          line.x.push_back(static_cast<double>(m + 1)), line.y.push_back(l.get("alpha"));
    f.lines.push_back(std::move(line));
  }
  return f;
}

}  // namespace

Figure alpha_compare_figure(const std::vector<std::pair<LayerData, LayerData>>& layers) {
  Figure f{.title = "alpha per layer: base and other", .subtitle = "layers in BASE's order; 2 ≤ α ≤ 6 shaded",
           .x = {"layer (model order)", Scale::Linear, {}, {}, true}, .y = {"α"}};
  f.bands.push_back({2, 6, color::green, ""});
  Points base{.color = color::blue, .label = "base"}, other{.color = color::orange, .label = "other"};
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const double x = static_cast<double>(k + 1);
    if (has_alpha(layers[k].first)) base.x.push_back(x), base.y.push_back(layers[k].first.get("alpha"));
    if (has_alpha(layers[k].second)) other.x.push_back(x), other.y.push_back(layers[k].second.get("alpha"));
  }
  f.points = {std::move(base), std::move(other)};
  return f;
}

std::vector<std::pair<std::string, Figure>> model_figures(const std::vector<ModelRows>& models) {
  std::vector<std::pair<std::string, Figure>> out = {{"alpha", alpha_per_layer(models)},
                                                     {"alpha-hist", alpha_histogram(models)}};
  bool setol = false;
  for (const auto& m : models)
    for (const auto& l : m.layers) setol |= l.num.count("delta_lambda_min") > 0;
  if (setol) out.emplace_back("funnel", funnel(models));
  if (models.size() > 1) out.emplace_back("alpha-checkpoints", across_checkpoints(models));
  return out;
}

}  // namespace setol::fig
