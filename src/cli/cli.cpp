#include "setol/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "setol/error.hpp"

namespace setol {
namespace {

void add_filter_options(CLI::App* cmd, AnalyzeOptions& o) {
  cmd->add_option("--min-evals", o.min_evals, "Skip (with a status row) layers with fewer eigenvalues; 0 disables")
      ->capture_default_str();
  cmd->add_option("--max-evals", o.max_evals, "Skip layers with more eigenvalues; 0 = no limit")->capture_default_str();
  cmd->add_option("--max-n", o.max_n, "Skip layers whose larger dimension N exceeds this; 0 = no limit")
      ->capture_default_str();
  cmd->add_flag("--pool,!--no-pool", o.pool,
                "Pool the kh*kw slices of a convolution into one ESD (default), or analyze each slice");
  cmd->add_option("--layers", o.layers, "Only these layers: ids or name globs (repeat or separate with commas)")
      ->delimiter(',');
}

void add_output_options(CLI::App* cmd, cli::OutputOptions& o) {
  cmd->add_option_function<std::string>(
         "--format", [&o](const std::string& f) { o.format = f; },
         "json | jsonl | csv | table (default: table on a terminal, json otherwise)")
      ->check(CLI::IsMember({"json", "jsonl", "csv", "table"}));
  cmd->add_option("-o,--output", o.output, "Write the report to FILE (atomically) instead of stdout");
  cmd->add_flag("-q,--quiet", o.quiet, "No progress on stderr");
}

void add_diagnostic_options(CLI::App* cmd, AnalyzeOptions& o) {
  auto& t = o.tail;
  cmd->add_option_function<std::string>(
         "--fit",
         [&t](const std::string& v) {
           t.distribution = v == "TPL" ? TailDistribution::TruncatedPowerLaw : TailDistribution::PowerLaw;
         },
         "Tail distribution: PL (power law, default) or TPL (truncated power law, adds Lambda)")
      ->check(CLI::IsMember({"PL", "TPL"}));
  cmd->add_option_function<std::string>(
         "--fix-fingers",
         [&t](const std::string& v) { t.fix_fingers = v == "xmin_peak" ? FixFingers::XminPeak : FixFingers::ClipXmax; },
         "xmin_peak: look for xmin near the peak of the log-ESD; clip_xmax: drop top outliers (adds num_fingers, raw_alpha)")
      ->check(CLI::IsMember({"xmin_peak", "clip_xmax"}));
  cmd->add_option("--xmin-max", t.xmin_max, "xmin_peak: upper end of the xmin window (default 1.5 x peak)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-fingers", t.max_fingers, "clip_xmax: most eigenvalues removed")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--finger-thresh", t.finger_thresh, "clip_xmax: alpha must fall by more than this")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--xmin-peak-ww-window", t.ww_xmin_peak_window,
                "xmin_peak: use WeightWatcher 0.7.5.5's window (log10(0.95 peak), xmin_max] instead of [0.95 peak, xmin_max]");
  cmd->add_flag("--mp-fit", o.mp_fit, "Fit the Marchenko-Pastur bulk (num_spikes, sigma_mp, mp_softrank, bulk_min/max)");
  cmd->add_flag("--randomize", o.randomize,
                "Compare with the element-permuted matrix: rand_* columns and the correlation_trap flag");
  cmd->add_option("--seed", o.seed, "Seed of the permutations (recorded in the report)")->capture_default_str();
  cmd->add_flag("--detx", o.detx, "detX / ERG condition: detX_num, detX_val, detX_val_unrescaled (+ ERG columns)");
  cmd->add_flag("--setol", o.setol,
                "SETOL ERG/ECS measures (erg_*, delta_lambda_min, ecs_rank) and experimental quality_* columns");
  cmd->add_flag("--htmp", o.htmp, "Fit the HTMP kappa of each ESD (htmp_kappa, htmp_kappa_se, htmp_D, ...)");
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"setol: heavy-tailed self-regularization (HTSR) analysis of trained weights, without data"};
  app.set_version_flag("--version", std::string("setol ") + SETOL_VERSION);
  app.require_subcommand(1);

  cli::AnalyzeArgs an;
  auto* analyze = app.add_subcommand("analyze", "Per-layer spectral metrics (alpha, alpha_weighted, ...) of a model");
  analyze->add_option("path", an.path, "Model: .safetensors, .h5, .npy, or a folder of them")->required();
  add_filter_options(analyze, an.options);
  add_output_options(analyze, an.out);
  analyze->add_option("--threads", an.options.threads, "Threads for the eigensolver; 0 = all cores")
      ->capture_default_str();
  analyze->add_option("--dump-esd", an.dump_esd, "Write each layer's eigenvalues to DIR/<layer_id>.npy");
  analyze->add_option("--fail-on", an.fail_on,
                      "Exit 1 if any layer matches, e.g. 'alpha>6' or 'alpha<2,D>0.2' (after writing the report)");

  analyze->add_option_function<std::string>(
             "--precision", [&an](const std::string& p) { an.options.single_precision = p == "f32"; },
             "f64 (default, WeightWatcher parity) or f32 (about 1.8x faster on large layers; alpha within ~1e-4, "
             "rank counts approximate)")
      ->check(CLI::IsMember({"f64", "f32"}));
  analyze->add_flag("--profile", an.profile, "Print where the time went (per layer and in total) on stderr");
  add_diagnostic_options(analyze, an.options);

  cli::DescribeArgs de;
  auto* describe = app.add_subcommand("describe", "List tensors, shapes, types and dtypes without any eigensolve");
  describe->add_option("path", de.path, "Model: .safetensors, .h5, .npy, or a folder of them")->required();
  add_filter_options(describe, de.options);
  add_output_options(describe, de.out);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "setol: error: " << e.what() << " (see setol --help)\n";
    return 2;
  }
  try {
    if (an.options.tail.distribution == TailDistribution::TruncatedPowerLaw &&
        an.options.tail.fix_fingers == FixFingers::ClipXmax)
      throw UsageError("--fit TPL cannot be combined with --fix-fingers clip_xmax");
    if (*analyze) return cli::run_analyze(an);
    return cli::run_describe(de);
  } catch (const InputError& e) {
    std::cerr << "setol: error: " << e.what() << '\n';
  } catch (const UsageError& e) {
    std::cerr << "setol: error: " << e.what() << '\n';
  } catch (const std::exception& e) {
    std::cerr << "setol: error: " << e.what() << '\n';
  }
  return 2;
}

}  // namespace setol
