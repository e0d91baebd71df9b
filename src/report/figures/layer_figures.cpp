// The per-layer figures (docs/figures.md), built from a report row and the eigenvalues only.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "setol/figures.hpp"
#include "setol/htmp.hpp"
#include "setol/powerlaw.hpp"

namespace setol::fig {
namespace {

constexpr int kBins = 100;
constexpr std::size_t kCurvePoints = 400;

std::string fixed(double v, int digits = 3) {
  if (!std::isfinite(v)) return "n/a";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string count(double v) {  // a report read back may hold any number: only what a long long holds
  return std::isfinite(v) && std::abs(v) < 9e18 ? std::to_string(static_cast<long long>(v)) : "n/a";
}

// A density histogram of `v` in 100 bins over [lo, hi], equal-width or (log) geometric:
// height_i = c_i / (n * width_i), the width in units of lambda (`per_decade` false: the density of
// lambda, comparable with a fitted pdf) or of log10 lambda (`per_decade`).
Bars histogram(const std::vector<double>& v, double lo, double hi, bool log, const std::string& color,
               const std::string& label, double opacity = 0.6, bool per_decade = true) {
  Bars b{.color = color, .opacity = opacity, .label = label};
  if (v.empty() || !(hi > lo)) return b;
  const double a = log ? std::log10(lo) : lo, z = log ? std::log10(hi) : hi;
  for (int k = 0; k <= kBins; ++k) {
    const double u = a + (z - a) * k / kBins;
    b.edges.push_back(log ? std::pow(10.0, u) : u);
  }
  std::vector<double> c(kBins, 0);
  for (double x : v) {
    const double u = log ? std::log10(x) : x;
    if (!(u >= a && u <= z)) continue;
    c[static_cast<std::size_t>(std::min(kBins - 1, static_cast<int>((u - a) / (z - a) * kBins)))] += 1;
  }
  const double n = static_cast<double>(v.size());
  for (int k = 0; k < kBins; ++k) {
    const auto i = static_cast<std::size_t>(k);
    const double w = per_decade || !log ? (z - a) / kBins : b.edges[i + 1] - b.edges[i];
    b.heights.push_back(c[i] / (n * w));
  }
  return b;
}

std::vector<double> positive(const std::vector<double>& v, double above = 0) {
  std::vector<double> out;
  for (double x : v)
    if (x > above) out.push_back(x);
  return out;
}

// Up to `n` indices spread evenly over [0, size), always with the last.
std::vector<std::size_t> spread(std::size_t size, std::size_t n) {
  std::vector<std::size_t> idx;
  if (size == 0) return idx;
  const std::size_t step = std::max<std::size_t>(1, (size + n - 1) / n);
  for (std::size_t i = 0; i < size; i += step) idx.push_back(i);
  if (idx.back() != size - 1) idx.push_back(size - 1);
  return idx;
}

std::string heading(const LayerData& d, const std::string& what) {
  return std::to_string(static_cast<long long>(d.get("layer_id"))) + " " + d.text.at("name") + ": " + what;
}

std::string shape_line(const LayerData& d) {
  std::string s = "N×M = " + count(d.get("N")) + "×" + count(d.get("M"));
  if (d.get("rf") > 1) s += "×" + count(d.get("rf"));
  return s + ", " + std::to_string(d.evals.size()) + " eigenvalues";
}

bool fitted(const LayerData& d) { return d.get("alpha") > 0 && d.get("xmin") > 0; }

// The fitted tail density, scaled by n_tail / n_plot so that it lies on the histogram, which is
// normalised over all plotted eigenvalues (WeightWatcher draws it unscaled, above the bars).
Line tail_line(const LayerData& d, const std::vector<double>& plotted) {
  const double alpha = d.get("alpha"), xmin = d.get("xmin"), xmax = d.get("xmax"), Lambda = d.get("Lambda");
  std::vector<double> tail;
  for (double x : plotted)
    if (x >= xmin && (!std::isfinite(xmax) || x <= xmax)) tail.push_back(x);
  Line l{.color = color::vermillion, .width = 2, .dashed = true,
         .label = std::isfinite(Lambda) ? "truncated power law" : "power law"};
  if (tail.empty()) return l;
  const double share = static_cast<double>(tail.size()) / static_cast<double>(plotted.size());
  // TPL: x^-alpha e^(-Lambda x), normalised numerically over the tail's range.
  double tpl_norm = 0;
  if (std::isfinite(Lambda)) {
    const std::size_t n = 2000;
    const double a = std::log(tail.front()), b = std::log(tail.back());
    for (std::size_t i = 0; i < n; ++i) {
      const double x = std::exp(a + (b - a) * (i + 0.5) / n);
      tpl_norm += std::pow(x, -alpha) * std::exp(-Lambda * x) * x * (b - a) / n;
    }
  }
  for (std::size_t i : spread(tail.size(), kCurvePoints)) {
    const double x = tail[i];
    const double p = std::isfinite(Lambda) ? std::pow(x, -alpha) * std::exp(-Lambda * x) / tpl_norm
                                           : (alpha - 1) * std::pow(xmin, alpha - 1) * std::pow(x, -alpha);
    l.x.push_back(x);
    l.y.push_back(share * p);
  }
  return l;
}

Figure esd(const LayerData& d) {
  const bool ok = fitted(d);
  const double lmax = d.evals.empty() ? 0 : d.evals.back();
  const auto plotted = positive(d.evals, ok ? d.get("xmin") / 100 : 0.004 * lmax);
  Figure f{.title = heading(d, "log-log ESD"), .subtitle = shape_line(d),
           .x = {"eigenvalue λ", Scale::Log10}, .y = {"density", Scale::Log10}};
  if (!plotted.empty())
    f.bars.push_back(histogram(plotted, plotted.front(), plotted.back(), true, color::blue, "ESD", 0.6, false));
  if (ok) {
    f.lines.push_back(tail_line(d, plotted));
    f.markers.push_back({d.get("xmin"), color::vermillion, false, "xmin (tail start)"});
    if (std::isfinite(d.get("xmax")) && d.get("xmax") < lmax) f.markers.push_back({d.get("xmax"), color::orange, true, "xmax"});
    f.notes = {"α = " + fixed(d.get("alpha")), "D = " + fixed(d.get("D")), "tail: " + count(d.get("num_pl_spikes")) + " eigenvalues"};
  } else {
    f.notes = {"power-law fit failed"};
  }
  return f;
}

Figure esd_lin(const LayerData& d) {
  Figure f{.title = heading(d, "ESD"), .subtitle = shape_line(d), .x = {"eigenvalue λ"}, .y = {"density"}};
  if (d.evals.empty()) return f;
  f.bars.push_back(histogram(d.evals, d.evals.front(), d.evals.back(), false, color::blue, "ESD"));
  const double s = d.get("sigma_mp"), w = d.get("W_scale"), lo = d.get("bulk_min"), hi = d.get("bulk_max"), Q = d.get("Q");
  if (s > 0 && w > 0 && hi > lo && Q > 0) {
    // Marchenko-Pastur density in mean-1 units r = W_scale^2 lambda, drawn in lambda units.
    const double w2 = w * w, q = 1 / std::sqrt(Q), a = s * s * (1 - q) * (1 - q), b = s * s * (1 + q) * (1 + q);
    Line mp{.color = color::green, .width = 2, .label = "Marchenko-Pastur fit"};
    for (std::size_t i = 0; i <= kCurvePoints; ++i) {
      const double lam = lo + (hi - lo) * static_cast<double>(i) / kCurvePoints, r = lam * w2;
      const double rho = r > a && r < b ? Q * std::sqrt((b - r) * (r - a)) / (2 * M_PI * s * s * r) : 0;
      mp.x.push_back(lam);
      mp.y.push_back(rho * w2);
    }
    f.lines.push_back(std::move(mp));
    f.markers.push_back({lo, color::green, true, ""});
    f.markers.push_back({hi, color::green, true, "MP bulk edges"});
    double claimed = d.get("num_spikes");  // NaN when absent; a report read back may hold any number
    if (!(claimed > 0)) claimed = 0;
    const auto spikes = static_cast<std::size_t>(std::min(claimed, static_cast<double>(d.evals.size())));
    Points p{.color = color::vermillion, .label = "spikes (" + std::to_string(spikes) + ")"};
    for (std::size_t i = 0; i < spikes && i < d.evals.size(); ++i) {
      p.x.push_back(d.evals[d.evals.size() - 1 - i]);
      p.y.push_back(0);
    }
    if (spikes > 0) f.points.push_back(std::move(p));
    f.notes = {"σ_MP = " + fixed(s), "MP soft rank = " + fixed(d.get("mp_softrank"))};
  }
  return f;
}

// D of the power law fitted from each candidate xmin (WWFit's candidates: every eigenvalue above
// 1e-5 but the largest), at up to 400 candidates spread over them plus the chosen one.
Figure ks(const LayerData& d) {
  Figure f{.title = heading(d, "KS distance against xmin"), .subtitle = shape_line(d),
           .x = {"candidate xmin", Scale::Log10}, .y = {"D (Kolmogorov-Smirnov)"}};
  const auto x = positive(d.evals, kFitEvalsThreshold);
  if (x.size() < 2) return f;
  std::vector<double> logs(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) logs[i] = std::log(x[i]);
  std::vector<double> suffix(x.size() + 1, 0);  // sum of ln x_j for j >= i
  for (std::size_t i = x.size(); i-- > 0;) suffix[i] = suffix[i + 1] + logs[i];
  Line l{.color = color::blue, .width = 1.5, .label = "D(xmin)"};
  for (std::size_t i : spread(x.size() - 1, kCurvePoints)) {
    const double m = static_cast<double>(x.size() - i);
    const double alpha = 1 + m / (suffix[i] - m * logs[i]);
    l.x.push_back(x[i]);
    l.y.push_back(alpha > 1 ? ks_distance(std::span<const double>(x).subspan(i), alpha) : 1.0);
  }
  f.lines.push_back(std::move(l));
  if (fitted(d)) {
    f.markers.push_back({d.get("xmin"), color::vermillion, false, "chosen xmin"});
    f.notes = {"D = " + fixed(d.get("D")), "xmin = " + fixed(d.get("xmin"), 4)};
  }
  return f;
}

Figure rand(const LayerData& d) {
  Figure f{.title = heading(d, "ESD and randomized ESD"), .subtitle = shape_line(d),
           .x = {"eigenvalue λ", Scale::Log10}, .y = {"density per decade"}};
  const auto a = positive(d.evals, 1e-12), b = positive(d.rand_evals, 1e-12);
  if (a.empty() || b.empty()) return f;
  const double lo = std::min(a.front(), b.front()), hi = std::max(a.back(), b.back());
  f.bars.push_back(histogram(a, lo, hi, true, color::blue, "ESD"));
  f.bars.push_back(histogram(b, lo, hi, true, color::orange, "elements permuted", 0.5));
  f.markers.push_back({d.get("max_rand_eval"), color::orange, false, "max randomized λ"});
  const double edge = d.get("rand_bulk_max");
  if (edge > 0) {
    f.markers.push_back({edge, color::grey, true, "randomized MP edge"});
    Points p{.color = color::vermillion, .label = "trap eigenvalues"};
    for (double x : b)
      if (x > edge) p.x.push_back(x), p.y.push_back(0.0);
    // On a linear density axis 0 is the bottom edge; keep the points visible just above it.
    if (!p.x.empty()) f.points.push_back(std::move(p));
  }
  const auto it = d.text.find("correlation_trap");
  f.notes = {"correlation trap: " + (it == d.text.end() ? std::string("n/a") : it->second),
             "rand_distance = " + fixed(d.get("rand_distance"))};
  return f;
}

Figure erg(const LayerData& d) {
  const bool detx = std::isfinite(d.get("erg_lambda_min")) || std::isfinite(d.get("detX_val"));
  Figure f{.title = heading(d, detx ? "PL tail and ERG (detX) tail" : "HTMP fit"), .subtitle = shape_line(d),
           .x = {"eigenvalue λ", Scale::Log10}, .y = {"density per decade"}};
  const auto a = positive(d.evals, 1e-12);
  if (a.empty()) return f;
  f.bars.push_back(histogram(a, a.front(), a.back(), true, color::blue, "ESD"));
  if (detx) {
    if (fitted(d)) f.markers.push_back({d.get("xmin"), color::vermillion, false, "PL tail start (xmin)"});
    const double erg = std::isfinite(d.get("erg_lambda_min")) ? d.get("erg_lambda_min") : d.get("detX_val");
    f.markers.push_back({erg, color::purple, true, "ERG tail start (detX)"});
    f.notes.push_back("Δλ_min = " + fixed(d.get("delta_lambda_min"), 4));
  }
  const double kappa = d.get("htmp_kappa"), scale = d.get("htmp_scale"), Q = d.get("Q");
  if (kappa > 0 && scale > 0 && Q > 0) {
    // The HTMP density of x = lambda / scale, per decade of lambda: lambda ln(10) p(lambda).
    Line l{.color = color::green, .width = 2, .label = "HTMP fit"};
    const double la = std::log10(a.front()), lb = std::log10(a.back());
    for (std::size_t i = 0; i <= kCurvePoints; ++i) {
      const double lam = std::pow(10.0, la + (lb - la) * static_cast<double>(i) / kCurvePoints);
      const double p = std::exp(htmp::log_density(lam / scale, 1 / Q, kappa)) / scale;
      l.x.push_back(lam);
      l.y.push_back(std::isfinite(p) ? lam * std::log(10.0) * p : std::nan(""));
    }
    f.lines.push_back(std::move(l));
    f.notes.push_back("κ = " + fixed(kappa));
  }
  return f;
}

}  // namespace

double LayerData::get(const std::string& column) const {
  const auto it = num.find(column);
  return it == num.end() ? std::nan("") : it->second;
}

LayerData layer_data(const nlohmann::ordered_json& row, std::vector<double> evals, std::vector<double> rand_evals) {
  LayerData d;
  for (const auto& [key, v] : row.items()) {
    if (v.is_string()) d.text[key] = v.get<std::string>();
    else if (v.is_boolean()) d.text[key] = v.get<bool>() ? "yes" : "no";
    else if (v.is_number()) d.num[key] = v.get<double>();
  }
  d.text.emplace("name", "");
  d.evals = std::move(evals);
  d.rand_evals = std::move(rand_evals);
  return d;
}

std::vector<std::pair<std::string, Figure>> layer_figures(const LayerData& d) {
  std::vector<std::pair<std::string, Figure>> out = {{"esd", esd(d)}, {"esd-lin", esd_lin(d)}, {"ks", ks(d)}};
  if (!d.rand_evals.empty()) out.emplace_back("rand", rand(d));
  if (d.num.count("detX_val") || d.num.count("erg_lambda_min") || d.num.count("htmp_kappa")) out.emplace_back("erg", erg(d));
  return out;
}

Figure compare_esd_figure(const LayerData& base, const LayerData& other) {
  Figure f{.title = heading(base, "ESD of base and other"), .subtitle = shape_line(base),
           .x = {"eigenvalue λ", Scale::Log10}, .y = {"density per decade"}};
  const auto a = positive(base.evals, 1e-12), b = positive(other.evals, 1e-12);
  if (a.empty() || b.empty()) return f;
  const double lo = std::min(a.front(), b.front()), hi = std::max(a.back(), b.back());
  f.bars.push_back(histogram(a, lo, hi, true, color::blue, "base"));
  f.bars.push_back(histogram(b, lo, hi, true, color::orange, "other", 0.5));
  if (fitted(base)) f.markers.push_back({base.get("xmin"), color::blue, true, "xmin, base"});
  if (fitted(other)) f.markers.push_back({other.get("xmin"), color::orange, true, "xmin, other"});
  f.notes = {"α: " + fixed(base.get("alpha")) + " → " + fixed(other.get("alpha"))};
  return f;
}

std::string layer_stem(const LayerData& d) {
  std::string s = std::to_string(static_cast<long long>(d.get("layer_id")));
  if (std::isfinite(d.get("slice_id"))) s += "." + std::to_string(static_cast<long long>(d.get("slice_id")));
  s += "_";
  std::string name = d.text.at("name").substr(0, 100);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  return s + name;
}

}  // namespace setol::fig
