// An SVG document as text: every number with two decimals, so the same figure is the same bytes
// (internal).
#pragma once
#include <sstream>

#include "report/figures/canvas.hpp"

namespace setol::fig {

class SvgCanvas final : public Canvas {
 public:
  SvgCanvas(int width, int height);
  void rect(double x, double y, double w, double h, const std::string& fill, double opacity,
            const std::string& stroke) override;
  void polyline(const std::vector<std::pair<double, double>>& pts, const std::string& color, double width,
                bool dashed) override;
  void circle(double x, double y, double r, const std::string& fill) override;
  void text(double x, double y, const std::string& s, const TextStyle& style) override;
  std::string finish();  // the closed document

 private:
  std::ostringstream out_;
};

}  // namespace setol::fig
