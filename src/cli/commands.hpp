// The subcommands behind run_cli and their command-line-only options (internal).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/figure_sink.hpp"
#include "setol/analyze.hpp"
#include "setol/options.hpp"

namespace CLI {
class App;
}

namespace setol::cli {

struct OutputOptions {
  std::string format;  // empty: from -o's extension, else table on a terminal, json otherwise
  std::string output;  // -o FILE; empty = stdout
  bool quiet = false;
};
// --format, -o, -q (the report key of --format is written separately, resolved).
const std::vector<OptionSpec<OutputOptions>>& output_option_specs();

struct InputOptions {
  std::string format;  // --input-format: empty = detect from the name, then the content
};
const std::vector<OptionSpec<InputOptions>>& input_option_specs();

struct AnalyzeArgs {
  std::vector<std::string> paths;  // one or more inputs (files, folders)
  InputOptions in;
  AnalyzeOptions options;
  OutputOptions out;
  std::string dump_esd;
  std::string fail_on;
  bool profile = false;
  bool keep_going = false;   // an input that cannot be read does not change the exit status
  bool given_order = false;  // keep the inputs' order instead of sorting them naturally
  bool models_only = false;  // --summary: the models table only
  bool resume = false;       // complete an interrupted --format jsonl -o FILE run
  std::string base;          // LoRA adapters: the base model, for lora_W_plus_AB rows
  FigureOptions figures;     // --plot DIR, --plot-format, --html FILE
  std::string shard;         // "K/N": this process analyzes shard K of N (array jobs; setol merge joins the parts)
};
// --dump-esd, --fail-on, --profile, --keep-going, --given-order, --summary, --resume, --base.
const std::vector<OptionSpec<AnalyzeArgs>>& analyze_cli_option_specs();

// Whether the analyze option reported under `key` is run-only (OptionSpec::run_only): a resumed
// run and the parts of a sharded run may differ in it.
bool run_only_option(const std::string& key);

struct DescribeArgs {
  std::string path;
  InputOptions in;
  AnalyzeOptions options;  // the layer filters decide the "analysis" column
  OutputOptions out;
};

struct CompareArgs {
  std::string base, other;
  InputOptions in;
  AnalyzeOptions options;
  OutputOptions out;
  FigureOptions figures;  // --plot DIR, --plot-format, --html FILE
};
const std::vector<OptionSpec<CompareArgs>>& compare_cli_option_specs();

// setol plot REPORT --esd DIR -o OUTDIR: the figures of a saved report, without recomputing.
struct PlotArgs {
  std::string report;
  std::string esd;
  FigureOptions figures;
};
const std::vector<OptionSpec<PlotArgs>>& plot_option_specs();

// setol merge PART... -o REPORT: the report of a run done as --shard parts.
struct MergeArgs {
  std::vector<std::string> parts;
  OutputOptions out;
};

int run_analyze(const AnalyzeArgs& a);
int run_merge(const MergeArgs& a);
int run_plot(const PlotArgs& a);
int run_compare(const CompareArgs& a);
int run_describe(const DescribeArgs& a);

// The man page (roff) of every command and option of `app`.
std::string man_page(const CLI::App& app);

}  // namespace setol::cli
