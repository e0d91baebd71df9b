// What the figure renderer draws on, in pixels (origin top-left): an SVG document written as
// text or a cairo image surface saved as PNG (internal to src/report/figures).
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace setol::fig {

enum class Anchor { Start, Middle, End };

struct TextStyle {
  double size = 12;
  Anchor anchor = Anchor::Start;
  bool bold = false;
  bool vertical = false;  // rotated 90 degrees counter-clockwise (y-axis labels)
  std::string color = "#000000";
};

class Canvas {
 public:
  virtual ~Canvas() = default;
  virtual void rect(double x, double y, double w, double h, const std::string& fill, double opacity,
                    const std::string& stroke = "") = 0;
  virtual void polyline(const std::vector<std::pair<double, double>>& pts, const std::string& color, double width,
                        bool dashed) = 0;
  virtual void circle(double x, double y, double r, const std::string& fill) = 0;
  // (x, y) is the baseline point of the text.
  virtual void text(double x, double y, const std::string& s, const TextStyle& style) = 0;
};

// Text for SVG or HTML: &, <, >, " escaped, control characters as spaces.
std::string xml_escape(const std::string& s);

// An estimate of a text's width in pixels for DejaVu Sans at `size` (layout only: legend boxes,
// tick thinning); counts UTF-8 code points.
double text_width(const std::string& s, double size);

}  // namespace setol::fig
