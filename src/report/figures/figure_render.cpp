// Lays a Figure out on a canvas: the plot area, axes with ticks (decades on log axes), grid,
// the data clipped to the plot area, title, axis labels and a legend that does not cover the
// title or the tick labels.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "report/figures/canvas.hpp"
#include "report/figures/svg_canvas.hpp"
#include "setol/figures.hpp"

namespace setol::fig {
namespace {

constexpr double kLeft = 74, kRight = 18, kTop = 58, kBottom = 50;

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v, Scale s) {
    if (!std::isfinite(v) || (s == Scale::Log10 && v <= 0)) return;
    lo = std::min(lo, v), hi = std::max(hi, v);
  }
  bool empty() const { return !(lo <= hi); }
};

// The axis range: given limits, else the data's with a margin (5% of the span, in log10 on log axes).
std::pair<double, double> axis_range(const Axis& a, Range r) {
  const bool log = a.scale == Scale::Log10;
  if (r.empty()) r = log ? Range{1, 10} : Range{0, 1};
  double lo = log ? std::log10(r.lo) : r.lo, hi = log ? std::log10(r.hi) : r.hi;
  if (hi - lo < 1e-12) lo -= log ? 0.5 : (std::fabs(lo) * 0.1 + 0.5), hi += log ? 0.5 : (std::fabs(hi) * 0.1 + 0.5);
  const double pad = 0.05 * (hi - lo);
  lo -= pad, hi += pad;
  if (a.lo) lo = log ? std::log10(*a.lo) : *a.lo;
  if (a.hi) hi = log ? std::log10(*a.hi) : *a.hi;
  return {lo, hi};
}

std::string superscript(int k) {
  static const char* digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string s = k < 0 ? "⁻" : "";
  const std::string d = std::to_string(std::abs(k));
  for (char c : d) s += digits[c - '0'];
  return s;
}

std::string tick_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", std::fabs(v) < 1e-12 ? 0.0 : v);
  return buf;
}

struct Tick {
  double at;  // in axis units (log10 on log axes)
  std::string label;
  bool major = true;
};

// Linear: steps of 1, 2 or 5 x 10^k, 4-8 ticks. Log: every decade (labelled 10^k; every other one
// when there are many), with 2..9 minor ticks when the range is narrow.
std::vector<Tick> ticks(const Axis& a, double lo, double hi) {
  std::vector<Tick> t;
  if (a.scale == Scale::Log10) {
    const int k0 = static_cast<int>(std::ceil(lo - 1e-9)), k1 = static_cast<int>(std::floor(hi + 1e-9));
    const int every = (k1 - k0) > 8 ? 2 : 1;
    for (int k = k0; k <= k1; ++k)
      t.push_back({static_cast<double>(k), (k - k0) % every == 0 ? (k == 0 ? "1" : k == 1 ? "10" : "10" + superscript(k)) : ""});
    if (k1 - k0 <= 3)
      for (int k = static_cast<int>(std::floor(lo)); k <= k1; ++k)
        for (int m = 2; m <= 9; ++m) {
          const double at = k + std::log10(m);
          if (at > lo && at < hi) t.push_back({at, (k1 - k0 < 1 && (m == 2 || m == 5)) ? tick_text(m * std::pow(10.0, k)) : "", false});
        }
    std::sort(t.begin(), t.end(), [](const Tick& a, const Tick& b) { return a.at < b.at; });
    return t;
  }
  const double span = hi - lo;
  const double raw = span / 6;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  if (a.integer) step = std::max(1.0, std::round(step));
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) t.push_back({v, tick_text(v)});
  return t;
}

struct Frame {
  double px0, px1, py0, py1;  // plot area in pixels
  double xlo, xhi, ylo, yhi;  // axis ranges in axis units
  Scale xs, ys;
  double X(double v) const {
    const double u = xs == Scale::Log10 ? std::log10(v) : v;
    return px0 + (u - xlo) / (xhi - xlo) * (px1 - px0);
  }
  double Y(double v) const {
    const double u = ys == Scale::Log10 ? std::log10(v) : v;
    return py1 - (u - ylo) / (yhi - ylo) * (py1 - py0);
  }
  bool valid_x(double v) const { return std::isfinite(v) && (xs == Scale::Linear || v > 0); }
  bool valid_y(double v) const { return std::isfinite(v) && (ys == Scale::Linear || v > 0); }
};

// Liang-Barsky: the part of segment a-b inside the plot area, if any.
bool clip(const Frame& f, std::pair<double, double>& a, std::pair<double, double>& b) {
  double t0 = 0, t1 = 1;
  const double dx = b.first - a.first, dy = b.second - a.second;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a.first - f.px0, f.px1 - a.first, a.second - f.py0, f.py1 - a.second};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    const double r = q[i] / p[i];
    if (p[i] < 0) t0 = std::max(t0, r);
    else t1 = std::min(t1, r);
    if (t0 > t1) return false;
  }
  const auto a0 = a;
  a = {a0.first + t0 * dx, a0.second + t0 * dy};
  b = {a0.first + t1 * dx, a0.second + t1 * dy};
  return true;
}

// Draws a polyline in data units, broken where a point cannot be shown and clipped to the area.
void draw_line(Canvas& c, const Frame& f, const Line& l) {
  std::vector<std::pair<double, double>> run;
  auto flush = [&] {
    c.polyline(run, l.color, l.width, l.dashed);
    run.clear();
  };
  bool have_prev = false;
  std::pair<double, double> prev;
  for (std::size_t i = 0; i < l.x.size(); ++i) {
    if (!f.valid_x(l.x[i]) || !f.valid_y(l.y[i])) {
      flush();
      have_prev = false;
      continue;
    }
    const std::pair<double, double> p{f.X(l.x[i]), f.Y(l.y[i])};
    if (have_prev) {
      auto a = prev, b = p;
      if (clip(f, a, b)) {
        if (run.empty() || run.back() != a) {
          flush();
          run.push_back(a);
        }
        run.push_back(b);
      } else {
        flush();
      }
    }
    prev = p;
    have_prev = true;
  }
  flush();
}

// How much of the figure's data falls inside a box: bar tops and line or point vertices, in pixels.
double covered(const Frame& f, const Figure& fig, double x0, double y0, double w, double h) {
  double n = 0;
  auto inside = [&](double x, double y) { return x >= x0 && x <= x0 + w && y >= y0 && y <= y0 + h; };
  for (const auto& b : fig.bars)
    for (std::size_t i = 0; i + 1 < b.edges.size(); ++i) {
      if (!f.valid_x(b.edges[i]) || !f.valid_y(b.heights[i]) || b.heights[i] <= 0) continue;
      const double xa = f.X(b.edges[i]), xb = f.X(b.edges[i + 1]), top = f.Y(b.heights[i]);
      if (xb >= x0 && xa <= x0 + w && top <= y0 + h) n += 1;  // the bar reaches into the box
    }
  for (const auto& l : fig.lines)
    for (std::size_t i = 0; i < l.x.size(); ++i)
      if (f.valid_x(l.x[i]) && f.valid_y(l.y[i]) && inside(f.X(l.x[i]), f.Y(l.y[i]))) n += 1;
  for (const auto& p : fig.points)
    for (std::size_t i = 0; i < p.x.size(); ++i)
      if (f.valid_x(p.x[i]) && f.valid_y(p.y[i]) && inside(f.X(p.x[i]), f.Y(p.y[i]))) n += 3;
  for (const auto& m : fig.markers)
    if (f.valid_x(m.x) && f.X(m.x) >= x0 && f.X(m.x) <= x0 + w) n += 5;
  return n;
}

void legend(Canvas& c, const Frame& f, const Figure& fig) {
  struct Entry {
    std::string kind, color, label;
    bool dashed = false;
  };
  std::vector<Entry> e;
  for (const auto& b : fig.bands) if (!b.label.empty()) e.push_back({"box", b.color, b.label});
  for (const auto& b : fig.bars) if (!b.label.empty()) e.push_back({"box", b.color, b.label});
  for (const auto& l : fig.lines) if (!l.label.empty()) e.push_back({"line", l.color, l.label, l.dashed});
  for (const auto& m : fig.markers) if (!m.label.empty()) e.push_back({"line", m.color, m.label, m.dashed});
  for (const auto& p : fig.points) if (!p.label.empty()) e.push_back({"dot", p.color, p.label});
  for (const auto& n : fig.notes) e.push_back({"note", "", n});
  if (e.empty()) return;
  const double size = 11, row = 16;
  double w = 0;
  for (const auto& x : e) w = std::max(w, text_width(x.label, size) + (x.kind == "note" ? 0 : 26));
  w += 12;
  const double h = row * static_cast<double>(e.size()) + 8;
  // The corner where the box hides the least data (top right on ties).
  const double xs[2] = {f.px1 - w - 6, f.px0 + 6}, ys[2] = {f.py0 + 6, f.py1 - h - 6};
  double x0 = xs[0], y0 = ys[0], best = -1;
  for (double yy : ys)
    for (double xx : xs) {
      const double n = covered(f, fig, xx, yy, w, h);
      if (best < 0 || n < best) best = n, x0 = xx, y0 = yy;
    }
  c.rect(x0, y0, w, h, "#ffffff", 0.85, "#bbbbbb");
  for (std::size_t i = 0; i < e.size(); ++i) {
    const double y = y0 + 4 + row * (static_cast<double>(i) + 0.5);
    double tx = x0 + 6;
    if (e[i].kind == "box") c.rect(tx, y - 5, 18, 10, e[i].color, 0.6);
    if (e[i].kind == "line") c.polyline({{tx, y}, {tx + 18, y}}, e[i].color, 2, e[i].dashed);
    if (e[i].kind == "dot") c.circle(tx + 9, y, 3.5, e[i].color);
    if (e[i].kind != "note") tx += 26;
    c.text(tx, y + 4, e[i].label, {.size = size});
  }
}

}  // namespace

void render_figure(Canvas& c, const Figure& fig, int width, int height) {
  Range xr, yr;
  for (const auto& b : fig.bars)
    for (std::size_t i = 0; i + 1 < b.edges.size(); ++i)
      if (b.heights[i] > 0 || fig.y.scale == Scale::Linear) xr.add(b.edges[i], fig.x.scale), xr.add(b.edges[i + 1], fig.x.scale), yr.add(b.heights[i], fig.y.scale);
  for (const auto& l : fig.lines)
    for (std::size_t i = 0; i < l.x.size(); ++i) xr.add(l.x[i], fig.x.scale), yr.add(l.y[i], fig.y.scale);
  for (const auto& p : fig.points)
    for (std::size_t i = 0; i < p.x.size(); ++i) xr.add(p.x[i], fig.x.scale), yr.add(p.y[i], fig.y.scale);
  for (const auto& m : fig.markers) xr.add(m.x, fig.x.scale);
  for (const auto& b : fig.bands) yr.add(b.lo, fig.y.scale), yr.add(b.hi, fig.y.scale);
  if (!fig.bars.empty() && fig.y.scale == Scale::Linear) yr.add(0, Scale::Linear);
  Frame f{kLeft, width - kRight, kTop, height - kBottom, 0, 0, 0, 0, fig.x.scale, fig.y.scale};
  std::tie(f.xlo, f.xhi) = axis_range(fig.x, xr);
  std::tie(f.ylo, f.yhi) = axis_range(fig.y, yr);
  if (!fig.bars.empty() && fig.y.scale == Scale::Linear && !fig.y.lo) f.ylo = 0;

  const auto xt = ticks(fig.x, f.xlo, f.xhi), yt = ticks(fig.y, f.ylo, f.yhi);
  auto xpix = [&](double u) { return f.px0 + (u - f.xlo) / (f.xhi - f.xlo) * (f.px1 - f.px0); };
  auto ypix = [&](double u) { return f.py1 - (u - f.ylo) / (f.yhi - f.ylo) * (f.py1 - f.py0); };
  for (const auto& t : xt) c.polyline({{xpix(t.at), f.py0}, {xpix(t.at), f.py1}}, t.major ? "#e6e6e6" : "#f3f3f3", 1, false);
  for (const auto& t : yt) c.polyline({{f.px0, ypix(t.at)}, {f.px1, ypix(t.at)}}, t.major ? "#e6e6e6" : "#f3f3f3", 1, false);

  for (const auto& b : fig.bands) {
    const double y0 = std::clamp(f.Y(b.hi), f.py0, f.py1), y1 = std::clamp(f.Y(b.lo), f.py0, f.py1);
    if (y1 > y0) c.rect(f.px0, y0, f.px1 - f.px0, y1 - y0, b.color, 0.15);
  }
  for (const auto& b : fig.bars) {
    for (std::size_t i = 0; i + 1 < b.edges.size(); ++i) {
      if (!f.valid_x(b.edges[i]) || !f.valid_x(b.edges[i + 1]) || !f.valid_y(b.heights[i]) || b.heights[i] <= 0) continue;
      const double x0 = std::clamp(f.X(b.edges[i]), f.px0, f.px1), x1 = std::clamp(f.X(b.edges[i + 1]), f.px0, f.px1);
      const double top = std::clamp(f.Y(b.heights[i]), f.py0, f.py1);
      if (x1 > x0 && f.py1 > top) c.rect(x0, top, x1 - x0, f.py1 - top, b.color, b.opacity);
    }
  }
  for (const auto& l : fig.lines) draw_line(c, f, l);
  for (const auto& m : fig.markers) {
    if (!f.valid_x(m.x)) continue;
    const double x = f.X(m.x);
    if (x >= f.px0 && x <= f.px1) c.polyline({{x, f.py0}, {x, f.py1}}, m.color, 2, m.dashed);
  }
  for (const auto& p : fig.points)
    for (std::size_t i = 0; i < p.x.size(); ++i) {
      if (!f.valid_x(p.x[i]) || !f.valid_y(p.y[i])) continue;
      const double x = f.X(p.x[i]), y = f.Y(p.y[i]);
      if (x >= f.px0 - 0.5 && x <= f.px1 + 0.5 && y >= f.py0 - 0.5 && y <= f.py1 + 0.5) c.circle(x, y, p.radius, p.color);
    }

  // Frame, ticks and their labels (x labels thinned so that they never overlap).
  c.rect(f.px0, f.py0, f.px1 - f.px0, f.py1 - f.py0, "", 1, "#444444");
  double last_right = -1e9;
  for (const auto& t : xt) {
    const double x = xpix(t.at);
    c.polyline({{x, f.py1}, {x, f.py1 + (t.major ? 5 : 3)}}, "#444444", 1, false);
    if (t.label.empty()) continue;
    const double w = text_width(t.label, 11);
    if (x - w / 2 < last_right + 6) continue;
    c.text(x, f.py1 + 18, t.label, {.size = 11, .anchor = Anchor::Middle});
    last_right = x + w / 2;
  }
  for (const auto& t : yt) {
    const double y = ypix(t.at);
    c.polyline({{f.px0 - (t.major ? 5 : 3), y}, {f.px0, y}}, "#444444", 1, false);
    if (!t.label.empty()) c.text(f.px0 - 8, y + 4, t.label, {.size = 11, .anchor = Anchor::End});
  }
  c.text((f.px0 + f.px1) / 2, height - 12, fig.x.label, {.size = 12, .anchor = Anchor::Middle});
  c.text(16, (f.py0 + f.py1) / 2, fig.y.label, {.size = 12, .anchor = Anchor::Middle, .vertical = true});
  c.text(width / 2.0, 22, fig.title, {.size = 14, .anchor = Anchor::Middle, .bold = true});
  if (!fig.subtitle.empty()) c.text(width / 2.0, 42, fig.subtitle, {.size = 11, .anchor = Anchor::Middle, .color = "#444444"});
  legend(c, f, fig);
}

std::string render_svg(const Figure& f, int width, int height) {
  SvgCanvas c(width, height);
  render_figure(c, f, width, height);
  return c.finish();
}

}  // namespace setol::fig
