// PNG figures: the same drawing calls on a cairo image surface (antialiased lines, text through
// fontconfig with DejaVu Sans), encoded by libpng. None of the rasterising or encoding is ours.
#include <cairo.h>
#include <png.h>

#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <vector>

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

void png_write(png_structp png, png_bytep data, png_size_t length) {
  static_cast<std::ostream*>(png_get_io_ptr(png))->write(reinterpret_cast<const char*>(data),
                                                         static_cast<std::streamsize>(length));
}
void png_flush(png_structp) {}

// Encodes the surface with libpng at zlib level 3 and no row filters: 4 ms for a 640 x 480
// figure where cairo's own writer (level 6, adaptive filters) takes 33 ms, for files 3x larger
// (still ~8 KB); measured in docs/performance.md. Returns false on a libpng error.
bool encode_png(cairo_surface_t* surface, std::ostream& os) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (!png) return false;
  png_infop info = png_create_info_struct(png);
  const int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
  std::vector<unsigned char> row(static_cast<std::size_t>(w) * 3);
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, &os, png_write, png_flush);
  png_set_IHDR(png, info, static_cast<png_uint_32>(w), static_cast<png_uint_32>(h), 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 3);
  png_set_filter(png, 0, PNG_FILTER_NONE);
  png_write_info(png, info);
  cairo_surface_flush(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {  // CAIRO_FORMAT_RGB24: one native-endian 0x00RRGGBB word per pixel
      std::uint32_t p;
      std::memcpy(&p, data + static_cast<std::ptrdiff_t>(y) * stride + 4 * x, 4);
      row[3 * static_cast<std::size_t>(x)] = static_cast<unsigned char>(p >> 16);
      row[3 * static_cast<std::size_t>(x) + 1] = static_cast<unsigned char>(p >> 8);
      row[3 * static_cast<std::size_t>(x) + 2] = static_cast<unsigned char>(p);
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return static_cast<bool>(os);
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
  const bool ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS && encode_png(surface, out.stream());
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  if (!ok) throw InputError(file.string(), "cannot write PNG");
  out.commit();
}

}  // namespace setol::fig
