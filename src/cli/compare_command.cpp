// compare: two checkpoints layer by layer (a fine-tune and its base, two checkpoints of a run,
// a quantization and its original).
#include <iostream>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/output.hpp"
#include "setol/report.hpp"

namespace setol::cli {

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
  options["matched_by"] = c.by_position ? "position" : "name";
  RunInfo run{"compare", {}, options};
  for (const auto& [path, model, role] : {std::tuple{a.base, base.get(), "base"}, std::tuple{a.other, other.get(), "other"}})
    run.inputs.push_back({.path = path, .format = model->format(), .tensors = model->tensors().size(),
                          .metadata = model->metadata(), .role = role});
  out.writer().compare(out.stream(), {run, c.rows, columns, summary});
  out.commit();
  return 0;
}

}  // namespace setol::cli
