// PNG figures: the same drawing calls on a cairo image surface. cairo gives antialiased lines,
// text through fontconfig (DejaVu Sans) and the PNG encoder (libpng), none of which we write.
#include <cairo.h>

#include <cmath>

#include "report/figures/canvas.hpp"
#include "setol/error.hpp"
#include "setol/figures.hpp"
#include "setol/report.hpp"

namespace setol::fig {

void render_figure(Canvas& c, const Figure& f, int width, int height);  // figure_render.cpp

namespace {

void set_color(cairo_t* cr, const std::string& hex, double alpha = 1) {
  unsigned r = 0, g = 0, b = 0;
  if (hex.size() == 7) std::sscanf(hex.c_str() + 1, "%02x%02x%02x", &r, &g, &b);
  cairo_set_source_rgba(cr, r / 255.0, g / 255.0, b / 255.0, alpha);
}

class CairoCanvas final : public Canvas {
 public:
  explicit CairoCanvas(cairo_t* cr) : cr_(cr) {}
  void rect(double x, double y, double w, double h, const std::string& fill, double opacity,
            const std::string& stroke) override {
    cairo_rectangle(cr_, x, y, w, h);
    if (!fill.empty()) {
      set_color(cr_, fill, opacity);
      stroke.empty() ? cairo_fill(cr_) : cairo_fill_preserve(cr_);
    }
    if (!stroke.empty()) {
      set_color(cr_, stroke);
      cairo_set_line_width(cr_, 1);
      cairo_stroke(cr_);
    }
    cairo_new_path(cr_);
  }
  void polyline(const std::vector<std::pair<double, double>>& pts, const std::string& color, double width,
                bool dashed) override {
    if (pts.size() < 2) return;
    cairo_move_to(cr_, pts[0].first, pts[0].second);
    for (std::size_t i = 1; i < pts.size(); ++i) cairo_line_to(cr_, pts[i].first, pts[i].second);
    const double dash[2] = {6, 4};
    cairo_set_dash(cr_, dash, dashed ? 2 : 0, 0);
    cairo_set_line_width(cr_, width);
    set_color(cr_, color);
    cairo_stroke(cr_);
    cairo_set_dash(cr_, dash, 0, 0);
  }
  void circle(double x, double y, double r, const std::string& fill) override {
    cairo_arc(cr_, x, y, r, 0, 2 * M_PI);
    set_color(cr_, fill);
    cairo_fill(cr_);
  }
  void text(double x, double y, const std::string& s, const TextStyle& st) override {
    cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           st.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, st.size);
    cairo_text_extents_t ext;
    cairo_text_extents(cr_, s.c_str(), &ext);
    const double shift = st.anchor == Anchor::Start ? 0 : st.anchor == Anchor::Middle ? ext.x_advance / 2 : ext.x_advance;
    cairo_save(cr_);
    cairo_translate(cr_, x, y);
    if (st.vertical) cairo_rotate(cr_, -M_PI / 2);
    cairo_move_to(cr_, -shift, 0);
    set_color(cr_, st.color);
    cairo_show_text(cr_, s.c_str());
    cairo_restore(cr_);
  }

 private:
  cairo_t* cr_;
};

cairo_status_t to_stream(void* closure, const unsigned char* data, unsigned int length) {
  auto* os = static_cast<std::ostream*>(closure);
  os->write(reinterpret_cast<const char*>(data), length);
  return *os ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

}  // namespace

void render_png(const Figure& f, const std::filesystem::path& file, int width, int height) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cairo_t* cr = cairo_create(surface);
  set_color(cr, "#ffffff");
  cairo_paint(cr);
  CairoCanvas canvas(cr);
  render_figure(canvas, f, width, height);
  AtomicFile out(file);
  const cairo_status_t st = cairo_surface_write_to_png_stream(surface, to_stream, &out.stream());
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS) throw InputError(file.string(), std::string("cannot write PNG: ") + cairo_status_to_string(st));
  out.commit();
}

}  // namespace setol::fig
