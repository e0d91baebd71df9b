// Figures: what a practitioner looks at to judge a layer's fit (WeightWatcher's esd, esd2/mpfit,
// esd5, randesd and detX plots) and a model's layers. A figure is first a model (Figure: axes,
// histograms, lines, markers, in data units), built from a report row and the layer's
// eigenvalues only, so `setol plot` can rebuild it from a saved report; then it is rendered,
// deterministically, to SVG (written here as text) or PNG (drawn with cairo).
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "setol/options.hpp"

namespace setol::fig {

enum class Scale { Linear, Log10 };

struct Axis {
  std::string label;
  Scale scale = Scale::Linear;
  std::optional<double> lo, hi;  // data range; empty: from the data
  bool integer = false;          // ticks only at whole numbers (layer or input indices)
};

// Colour-blind-safe (Okabe & Ito) palette, used by every figure.
namespace color {
inline constexpr const char* blue = "#0072B2";
inline constexpr const char* orange = "#E69F00";
inline constexpr const char* sky = "#56B4E9";
inline constexpr const char* green = "#009E73";
inline constexpr const char* vermillion = "#D55E00";
inline constexpr const char* purple = "#CC79A7";
inline constexpr const char* grey = "#999999";
inline constexpr const char* black = "#000000";
}  // namespace color

struct Bars {  // a histogram: heights[i] over [edges[i], edges[i+1])
  std::vector<double> edges, heights;
  std::string color;
  double opacity = 0.6;
  std::string label;
};
struct Line {
  std::vector<double> x, y;
  std::string color;
  double width = 2;
  bool dashed = false;
  std::string label;
};
struct Marker {  // a vertical line at x
  double x = 0;
  std::string color;
  bool dashed = false;
  std::string label;
};
struct Band {  // a shaded horizontal band lo <= y <= hi
  double lo = 0, hi = 0;
  std::string color;
  std::string label;
};
struct Points {
  std::vector<double> x, y;
  std::string color;
  std::string label;
  double radius = 3.5;
};

struct Figure {
  std::string title;
  std::string subtitle;
  Axis x, y;
  std::vector<Band> bands;
  std::vector<Bars> bars;
  std::vector<Line> lines;
  std::vector<Marker> markers;
  std::vector<Points> points;
  std::vector<std::string> notes;  // extra legend lines (alpha, D, ...)
};

// What the layer figures are made from: the row's numeric and text cells by column name, and
// the eigenvalues (ascending) of the layer and of its permuted matrix (--randomize).
struct LayerData {
  std::map<std::string, double> num;
  std::map<std::string, std::string> text;
  std::vector<double> evals, rand_evals;
  double get(const std::string& column) const;  // NaN when absent or empty
};
// From a report row as JSON (what analyze writes and `setol plot` reads back, so both draw
// from exactly the same numbers).
LayerData layer_data(const nlohmann::ordered_json& row, std::vector<double> evals, std::vector<double> rand_evals);

// The layer figures this row has data for, by kind: "esd", "esd-lin", "ks", and "rand"
// (--randomize), "erg" (--detx/--setol, or --htmp).
std::vector<std::pair<std::string, Figure>> layer_figures(const LayerData& d);

// Model figures over the rows of one or more inputs: "alpha" (per layer, in model order, with the
// 2 and 6 bands), "alpha-hist", "funnel" (alpha against delta_lambda_min, with --setol) and,
// with several inputs, "alpha-checkpoints" (each layer's alpha across the inputs).
struct ModelRows {
  std::string model;
  std::vector<LayerData> layers;  // in model order
};
std::vector<std::pair<std::string, Figure>> model_figures(const std::vector<ModelRows>& models);

// `setol compare`: "compare-esd" for one layer (both ESDs per decade, each xmin marked), and the
// model figure "alpha-compare" (alpha per layer of BASE and OTHER).
Figure compare_esd_figure(const LayerData& base, const LayerData& other);
Figure alpha_compare_figure(const std::vector<std::pair<LayerData, LayerData>>& layers);

// The file stem of a layer's figures: "<layer_id>[.<slice_id>]_<name with unsafe characters
// replaced by '_'>".
std::string layer_stem(const LayerData& d);

// Rendering, 640 x 480 by default (WeightWatcher's figure size). The SVG is the same bytes for
// the same figure; the PNG is drawn by cairo (throws InputError naming the file if it cannot
// be written).
std::string render_svg(const Figure& f, int width = 640, int height = 480);
void render_png(const Figure& f, const std::filesystem::path& file, int width = 640, int height = 480);

enum class FileKinds { Svg, Png, Both };
inline constexpr EnumNames<FileKinds, 3> kFileKindNames{
    {{FileKinds::Svg, "svg"}, {FileKinds::Png, "png"}, {FileKinds::Both, "both"}}};

// A figure's SVG text, and its files <stem>.<kind>.svg / .png under `dir` (none when dir is empty).
using Drawn = std::vector<std::pair<std::string, std::string>>;  // kind -> SVG
Drawn write_figures(const std::vector<std::pair<std::string, Figure>>& figures, const std::filesystem::path& dir,
                    const std::string& stem, FileKinds kinds);

// The single-file HTML report: `report` is the JSON report (analyze, one or several inputs),
// `model_svgs` the model figures, `layer_svgs` each row's figures by row index (in the order of
// report["layers"]). Self-contained: inline SVG, CSS and a little JavaScript, nothing fetched.
std::string html_report(const nlohmann::ordered_json& report, const Drawn& model_svgs,
                        const std::map<std::size_t, Drawn>& layer_svgs);

}  // namespace setol::fig
