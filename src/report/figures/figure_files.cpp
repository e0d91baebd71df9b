// Writing figures: <stem>.<kind>.svg and/or .png under a folder, atomically.
#include "setol/figures.hpp"
#include "setol/report.hpp"

namespace setol::fig {

Drawn write_figures(const std::vector<std::pair<std::string, Figure>>& figures, const std::filesystem::path& dir,
                    const std::string& stem, FileKinds kinds) {
  Drawn out;
  for (const auto& [kind, f] : figures) {
    std::string svg = render_svg(f);
    const auto base = dir / (stem + "." + kind);
    if (!dir.empty() && kinds != FileKinds::Png) {
      AtomicFile file(base.string() + ".svg");
      file.stream() << svg;
      file.commit();
    }
    if (!dir.empty() && kinds != FileKinds::Svg) render_png(f, base.string() + ".png");
    out.emplace_back(kind, std::move(svg));
  }
  return out;
}

}  // namespace setol::fig
