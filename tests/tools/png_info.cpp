// png_info FILE: decodes a PNG (cairo's reader, libpng underneath) and prints
// "<width> <height> <pixels that are not white>", for the browser test (is the screenshot blank?).
#include <cairo.h>

#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  cairo_surface_t* s = cairo_image_surface_create_from_png(argv[1]);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    std::fprintf(stderr, "%s: not a PNG\n", argv[1]);
    return 1;
  }
  const int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  long inked = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint32_t px;
      __builtin_memcpy(&px, data + y * stride + 4 * x, 4);
      if ((px & 0xffffff) != 0xffffff) ++inked;
    }
  std::printf("%d %d %ld\n", w, h, inked);
  cairo_surface_destroy(s);
  return 0;
}
