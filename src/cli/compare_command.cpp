// compare: two checkpoints layer by layer (a fine-tune and its base, two checkpoints of a run,
// a quantization and its original).
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/output.hpp"
#include "setol/error.hpp"
#include "setol/figures.hpp"
#include "setol/report.hpp"

namespace setol::cli {
namespace {

// --plot / --html: each matched layer's two ESDs, alpha per layer of both, and the HTML page.
void draw(const FigureOptions& o, const Comparison& c, const nlohmann::ordered_json& report) {
  const auto analysis = analyze_columns(AnalyzeOptions{}, false);
  auto data = [&](const LayerRecord* r, bool with_evals) {
    if (!r) return fig::LayerData{};
    return fig::layer_data(layer_row_json(*r, analysis), with_evals ? r->evals : std::vector<double>{}, {});
  };
  if (!o.dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.dir, ec);
    if (ec) throw InputError(o.dir, "cannot create --plot folder: " + ec.message());
  }
  std::vector<std::pair<fig::LayerData, fig::LayerData>> pairs;
  std::map<std::size_t, fig::Drawn> per_row;
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const CompareRow& row = c.rows[i];
    pairs.emplace_back(data(row.base, false), data(row.other, false));
    if (!row.base || !row.other || !row.base->has_metrics() || !row.other->has_metrics()) continue;
    const fig::LayerData b = data(row.base, true), o2 = data(row.other, true);
    per_row[i] = fig::write_figures({{"compare-esd", fig::compare_esd_figure(b, o2)}}, o.dir, fig::layer_stem(b), o.kinds);
  }
  const auto model = fig::write_figures({{"alpha-compare", fig::alpha_compare_figure(pairs)}}, o.dir, "model", o.kinds);
  if (o.html.empty()) return;
  AtomicFile out(o.html);
  out.stream() << fig::html_report(report, model, per_row);
  out.commit();
}

}  // namespace

int run_compare(const CompareArgs& a) {
  validate(a.options);
  install_interrupt_handlers();
  const auto base = open_model(a.base, a.in.format);
  const auto other = open_model(a.other, a.in.format);
  const bool progress = show_progress(a.out);
  std::size_t done = 0;
  const Comparison c = compare_models(*base, *other, a.options, [&] {
    if (progress) std::cerr << "\r[" << ++done << "] layers analyzed\x1b[K" << std::flush;
  });
  if (progress) std::cerr << "\r\x1b[K";
  if (c.by_position && !a.out.quiet)
    std::cerr << "setol: warning: the two models share no layer name; layers matched by position\n";

  bool sliced = false;
  for (const auto& r : c.base) sliced |= r.slice_id.has_value();
  const auto columns = compare_columns(a.options, sliced);
  std::vector<CellRow> rows;
  for (const auto& r : c.rows) {
    rows.emplace_back();
    for (const auto& col : columns) rows.back().push_back(col.get(r));
  }
  const Summary summary = summarize(rows, columns);

  Output out(a.out);
  nlohmann::ordered_json options = {{"format", out.format().name}};
  options.update(to_json(a.options));
  options.update(setol::options_json(a.out, output_option_specs()));
  options.update(setol::options_json(a.in, input_option_specs()));
  options.update(setol::options_json(a, compare_cli_option_specs()));
  options["matched_by"] = c.by_position ? "position" : "name";
  RunInfo run{"compare", {}, options};
  for (const auto& [path, model, role] : {std::tuple{a.base, base.get(), "base"}, std::tuple{a.other, other.get(), "other"}})
    run.inputs.push_back({.path = path, .format = model->format(), .tensors = model->tensors().size(),
                          .metadata = model->metadata(), .role = role});
  const CompareReport report{run, c.rows, columns, summary};
  if (a.figures.active()) draw(a.figures, c, compare_report_json(report));
  out.writer().compare(out.stream(), report);
  out.commit();
  return 0;
}

}  // namespace setol::cli
