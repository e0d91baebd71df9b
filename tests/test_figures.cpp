// Figures: the figure model carries what the fit implies (the power-law line, the histogram's
// normalisation, the markers), every kind is produced with every option on, SVG output is
// deterministic and well formed, PNGs decode at the expected size.
#include <gtest/gtest.h>
#include <cairo.h>

#include <cmath>

#include "fixtures.hpp"
#include "setol/analyze.hpp"
#include "setol/figures.hpp"
#include "setol/report.hpp"

using namespace setol;
using namespace setol::fig;

namespace {

// A heavy-tailed ESD: lambda_k = (1 - k/(n+1))^(-1/(a-1)) (Pareto quantiles, exponent a), k = 0..n-1.
std::vector<double> pareto_evals(int n, double a) {
  std::vector<double> v;
  for (int k = 0; k < n; ++k) v.push_back(std::pow(1 - static_cast<double>(k) / (n + 1), -1 / (a - 1)));
  std::sort(v.begin(), v.end());
  return v;
}

const Line* find_line(const Figure& f, const std::string& label) {
  for (const auto& l : f.lines)
    if (l.label == label) return &l;
  return nullptr;
}

const Figure* find_kind(const std::vector<std::pair<std::string, Figure>>& v, const std::string& kind) {
  for (const auto& [k, f] : v)
    if (k == kind) return &f;
  return nullptr;
}

}  // namespace

TEST(Figures, PowerLawLineIsWhatTheFitImplies) {
  const auto evals = pareto_evals(400, 3.0);
  const double alpha = 2.9, xmin = evals[250], xmax = evals.back();
  nlohmann::ordered_json row = {{"layer_id", 4},  {"name", "w"},     {"N", 800},  {"M", 400}, {"Q", 2.0},
                                {"alpha", alpha}, {"xmin", xmin},    {"xmax", xmax}, {"D", 0.05},
                                {"num_pl_spikes", 150}, {"status", "success"}};
  const auto figs = layer_figures(layer_data(row, evals, {}));
  const Figure* esd = find_kind(figs, "esd");
  ASSERT_NE(esd, nullptr);
  const Line* pl = find_line(*esd, "power law");
  ASSERT_NE(pl, nullptr);
  ASSERT_FALSE(pl->x.empty());
  // The tail's share of the plotted eigenvalues (all are > xmin / 100 here) scales the pdf.
  const double share = 150.0 / 400.0;
  for (std::size_t i = 0; i < pl->x.size(); ++i) {
    EXPECT_GE(pl->x[i], xmin);
    EXPECT_LE(pl->x[i], xmax);
    const double want = share * (alpha - 1) * std::pow(xmin, alpha - 1) * std::pow(pl->x[i], -alpha);
    EXPECT_NEAR(pl->y[i], want, 1e-12 * want);
  }
  EXPECT_EQ(pl->x.front(), xmin);
  EXPECT_EQ(pl->x.back(), xmax);
  // The histogram is a density of lambda: sum of height * width over the bins is 1.
  ASSERT_EQ(esd->bars.size(), 1u);
  const Bars& b = esd->bars[0];
  double area = 0;
  for (std::size_t i = 0; i + 1 < b.edges.size(); ++i) area += b.heights[i] * (b.edges[i + 1] - b.edges[i]);
  EXPECT_NEAR(area, 1.0, 1e-12);
  // xmin is marked; alpha and D are in the legend.
  ASSERT_FALSE(esd->markers.empty());
  EXPECT_EQ(esd->markers[0].x, xmin);
  EXPECT_EQ(esd->notes[0], "α = 2.900");
  // The KS curve reaches its minimum region at the chosen xmin, which is marked.
  const Figure* ks = find_kind(figs, "ks");
  ASSERT_NE(ks, nullptr);
  EXPECT_EQ(ks->markers.at(0).x, xmin);
  // A failed fit draws no line and says so.
  row["alpha"] = -1;
  row["xmin"] = -1;
  const auto failed = layer_figures(layer_data(row, evals, {}));
  EXPECT_EQ(find_line(*find_kind(failed, "esd"), "power law"), nullptr);
  EXPECT_EQ(find_kind(failed, "esd")->notes.at(0), "power-law fit failed");
}

TEST(Figures, EveryKindWithEveryOptionDeterministicAndDecodable) {
  AnalyzeOptions o;
  o.mp_fit = o.randomize = o.setol = o.htmp = true;
  const auto m = open_model(fixtures::data_dir() + "/corpus/mlp3-mnist10k-bs32-lr0.01/model.safetensors");
  auto recs = plan_layers(*m, o);
  analyze_layers(*m, recs, o);
  const auto cols = analyze_columns(o, false);
  const LayerRecord& r = recs.at(0);
  const auto figs = layer_figures(layer_data(layer_row_json(r, cols), r.evals, r.randomized->evals));
  std::vector<std::string> kinds;
  for (const auto& [k, f] : figs) kinds.push_back(k);
  EXPECT_EQ(kinds, (std::vector<std::string>{"esd", "esd-lin", "ks", "rand", "erg"}));
  EXPECT_NE(find_line(*find_kind(figs, "esd-lin"), "Marchenko-Pastur fit"), nullptr);
  EXPECT_NE(find_line(*find_kind(figs, "erg"), "HTMP fit"), nullptr);
  fixtures::TempDir dir;
  for (const auto& [kind, f] : figs) {
    SCOPED_TRACE(kind);
    const std::string svg = render_svg(f);
    EXPECT_EQ(svg, render_svg(f));  // the same figure, the same bytes
    EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"480\"", 0), 0u);
    EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
    const auto png = dir / (kind + ".png");
    render_png(f, png);
    cairo_surface_t* s = cairo_image_surface_create_from_png(png.c_str());
    ASSERT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    EXPECT_EQ(cairo_image_surface_get_width(s), 640);
    EXPECT_EQ(cairo_image_surface_get_height(s), 480);
    cairo_surface_destroy(s);
  }
  // Model figures: alpha per layer with the 2-6 band; with --setol the funnel.
  std::vector<ModelRows> models = {{"m", {}}};
  for (const auto& rec : recs) models[0].layers.push_back(layer_data(layer_row_json(rec, cols), {}, {}));
  const auto mf = model_figures(models);
  ASSERT_NE(find_kind(mf, "alpha"), nullptr);
  EXPECT_EQ(find_kind(mf, "alpha")->bands.at(0).lo, 2);
  EXPECT_EQ(find_kind(mf, "alpha")->bands.at(0).hi, 6);
  EXPECT_EQ(find_kind(mf, "alpha")->points.at(0).y.at(2), recs[2].fit.alpha);
  EXPECT_NE(find_kind(mf, "funnel"), nullptr);
  EXPECT_EQ(find_kind(mf, "alpha-checkpoints"), nullptr);  // one input
}
