#include "setol/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/bind_options.hpp"
#include "cli/commands.hpp"
#include "setol/error.hpp"

namespace setol {

int run_cli(int argc, char** argv) {
  CLI::App app{"setol: heavy-tailed self-regularization (HTSR) analysis of trained weights, without data"};
  app.set_version_flag("--version", std::string("setol ") + SETOL_VERSION);
  bool man = false;
  app.add_flag("--man-page", man, "Print the man page (roff) and exit")->group("");  // hidden; used by the build
  app.require_subcommand(0, 1);

  cli::AnalyzeArgs an;
  auto* analyze = app.add_subcommand("analyze", "Per-layer spectral metrics (alpha, alpha_weighted, ...) of a model");
  analyze->add_option("paths", an.paths, "Model files or folders (docs/formats.md lists the formats); several give one report")
      ->required()
      ->type_name("PATH...");
  cli::bind_options(analyze, an.in, cli::input_option_specs());
  cli::bind_options(analyze, an.options, analyze_option_specs());
  cli::bind_options(analyze, an.out, cli::output_option_specs());
  cli::bind_options(analyze, an, cli::analyze_cli_option_specs());

  cli::DescribeArgs de;
  auto* describe = app.add_subcommand("describe", "List tensors, shapes, types and dtypes without any eigensolve");
  describe->add_option("path", de.path, "Model file or folder (docs/formats.md lists the formats)")->required();
  cli::bind_options(describe, de.in, cli::input_option_specs());
  cli::bind_options(describe, de.options, analyze_option_specs(), true);
  cli::bind_options(describe, de.out, cli::output_option_specs());

  cli::CompareArgs co;
  auto* compare = app.add_subcommand(
      "compare", "Compare two checkpoints layer by layer: metric deltas, distances, and the analysis of W_other - W_base");
  compare->add_option("base", co.base, "The base model (file or folder)")->required();
  compare->add_option("other", co.other, "The model compared with it (a fine-tune, a later checkpoint, a quantization)")
      ->required();
  cli::bind_options(compare, co.in, cli::input_option_specs());
  cli::bind_options(compare, co.options, analyze_option_specs());
  cli::bind_options(compare, co.out, cli::output_option_specs());
  cli::bind_options(compare, co, cli::compare_cli_option_specs());

  cli::PlotArgs pl;
  auto* plot = app.add_subcommand("plot", "Draw the figures (and HTML report) of a saved JSON report and its --dump-esd folder");
  plot->add_option("report", pl.report, "A report written by setol analyze --format json (or jsonl)")->required();
  cli::bind_options(plot, pl, cli::plot_option_specs());

  cli::MergeArgs me;
  auto* merge = app.add_subcommand("merge", "Join the JSONL parts of a run split with analyze --shard K/N into its report");
  merge->add_option("parts", me.parts, "Every part-K.jsonl of the run (K = 1..N), in any order")->required()->type_name("PART");
  cli::bind_options(merge, me.out, cli::output_option_specs());

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "setol: error: " << one_line(e.what(), 1000) << " (see setol --help)\n";
    return 2;
  }
  try {
    if (man) {
      std::cout << cli::man_page(app);
      return 0;
    }
    if (*analyze) return cli::run_analyze(an);
    if (*describe) return cli::run_describe(de);
    if (*compare) return cli::run_compare(co);
    if (*plot) return cli::run_plot(pl);
    if (*merge) return cli::run_merge(me);
    throw UsageError("a command is required: analyze, compare, describe, merge or plot (see setol --help)");
  } catch (const InputError& e) {  // already one line, naming the file
    std::cerr << "setol: error: " << e.what() << '\n';
  } catch (const std::exception& e) {  // UsageError, anything else: one line, exit 2
    std::cerr << "setol: error: " << one_line(e.what(), 1000) << '\n';
  }
  return 2;
}

}  // namespace setol
