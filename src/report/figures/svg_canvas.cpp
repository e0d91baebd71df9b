#include "report/figures/svg_canvas.hpp"

#include <cmath>
#include <cstdio>

namespace setol::fig {
namespace {

// Two decimals, no trailing zeros, no "-0": the same coordinates give the same text everywhere.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", std::round(v * 100) / 100 + 0.0);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

}  // namespace

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    }
  }
  return o;
}

double text_width(const std::string& s, double size) {
  std::size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  return 0.6 * size * static_cast<double>(chars);
}

SvgCanvas::SvgCanvas(int width, int height) {
  out_ << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
       << "\" viewBox=\"0 0 " << width << ' ' << height
       << "\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\">\n"
       << "<rect width=\"" << width << "\" height=\"" << height << "\" fill=\"#ffffff\"/>\n";
}

void SvgCanvas::rect(double x, double y, double w, double h, const std::string& fill, double opacity,
                     const std::string& stroke) {
  out_ << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\"" << num(w) << "\" height=\"" << num(h)
       << "\" fill=\"" << (fill.empty() ? "none" : fill) << '"';
  if (opacity < 1) out_ << " fill-opacity=\"" << num(opacity) << '"';
  if (!stroke.empty()) out_ << " stroke=\"" << stroke << "\" stroke-width=\"1\"";
  out_ << "/>\n";
}

void SvgCanvas::polyline(const std::vector<std::pair<double, double>>& pts, const std::string& color, double width,
                         bool dashed) {
  if (pts.size() < 2) return;
  out_ << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"" << num(width) << '"';
  if (dashed) out_ << " stroke-dasharray=\"6 4\"";
  out_ << " points=\"";
  for (std::size_t i = 0; i < pts.size(); ++i) out_ << (i ? " " : "") << num(pts[i].first) << ',' << num(pts[i].second);
  out_ << "\"/>\n";
}

void SvgCanvas::circle(double x, double y, double r, const std::string& fill) {
  out_ << "<circle cx=\"" << num(x) << "\" cy=\"" << num(y) << "\" r=\"" << num(r) << "\" fill=\"" << fill << "\"/>\n";
}

void SvgCanvas::text(double x, double y, const std::string& s, const TextStyle& st) {
  out_ << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\" font-size=\"" << num(st.size) << '"';
  if (st.anchor != Anchor::Start) out_ << " text-anchor=\"" << (st.anchor == Anchor::Middle ? "middle" : "end") << '"';
  if (st.bold) out_ << " font-weight=\"bold\"";
  if (st.color != "#000000") out_ << " fill=\"" << st.color << '"';
  if (st.vertical) out_ << " transform=\"rotate(-90 " << num(x) << ' ' << num(y) << ")\"";
  out_ << '>' << xml_escape(s) << "</text>\n";
}

std::string SvgCanvas::finish() {
  out_ << "</svg>\n";
  return out_.str();
}

}  // namespace setol::fig
