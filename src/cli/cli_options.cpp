// The command-line-only options, declared once (see setol/options.hpp).
#include "cli/commands.hpp"
#include "setol/report.hpp"

namespace setol::cli {

const std::vector<OptionSpec<OutputOptions>>& output_option_specs() {
  using O = OutputOptions;
  static const std::vector<OptionSpec<O>> specs = {
      {.flags = "--format",
       .help = "Report format (default: from -o's extension; else table on a terminal, json otherwise)",
       .field = ChoiceField<O>{output_format_names(), [](const O& o) { return o.format; },
                               [](O& o, const std::string& v) { o.format = v; }},
       .value_name = "FORMAT"},
      {.flags = "-o,--output", .key = "output", .help = "Write the report to FILE (atomically) instead of stdout",
       .field = member(&O::output), .run_only = true, .value_name = "FILE"},
      {.flags = "-q,--quiet", .help = "No progress on stderr", .field = member(&O::quiet)},
  };
  return specs;
}

const std::vector<OptionSpec<InputOptions>>& input_option_specs() {
  using I = InputOptions;
  static const std::vector<OptionSpec<I>> specs = {
      {.flags = "--input-format", .key = "input_format",
       .help = "Read PATH as this format instead of detecting it from the name and content",
       .field = ChoiceField<I>{input_format_names(), [](const I& i) { return i.format; },
                               [](I& i, const std::string& v) { i.format = v; }},
       .value_name = "FORMAT"},
  };
  return specs;
}

const std::vector<OptionSpec<AnalyzeArgs>>& analyze_cli_option_specs() {
  using A = AnalyzeArgs;
  static const std::vector<OptionSpec<A>> specs = {
      {.flags = "--dump-esd", .key = "dump_esd", .help = "Write each layer's eigenvalues to DIR/<layer_id>.npy",
       .field = member(&A::dump_esd), .run_only = true, .value_name = "DIR"},
      {.flags = "--fail-on", .key = "fail_on",
       .help = "Exit 1 (after writing the report) if a rule holds: per layer 'alpha>6'; per input 'mean(alpha)>4', "
               "'max(D)>0.2', 'count(warning==\"under-trained\")>=3', 'count(correlation_trap)>0'; across inputs "
               "'delta(mean(alpha))>0.5' (last minus first). Comma-separated",
       .field = member(&A::fail_on), .run_only = true, .value_name = "RULES"},
      {.flags = "--profile", .help = "Print where the time went (per layer and in total) on stderr",
       .field = member(&A::profile)},
      {.flags = "--keep-going", .key = "keep_going",
       .help = "With several inputs: one that cannot be read is a row of the models table, and the exit status "
               "ignores it (default: exit 2 after writing the report)",
       .field = member(&A::keep_going), .run_only = true},
      {.flags = "--given-order", .key = "given_order",
       .help = "Keep the inputs in the order given (default: natural order, checkpoint-200 before checkpoint-1000)",
       .field = member(&A::given_order), .run_only = true},
      {.flags = "--summary", .key = "summary",
       .help = "Write only the models table (one row per input: status counts and summary means)",
       .field = member(&A::models_only)},
      {.flags = "--base", .key = "base",
       .help = "For a LoRA adapter: the base model; adds lora_W_plus_AB rows (W + scale*B*A) beside the lora_BA rows",
       .field = member(&A::base), .value_name = "BASE"},
      {.flags = "--plot", .key = "plot",
       .help = "Draw each layer's figures (esd, esd-lin, ks, rand, erg) and the model figures into DIR",
       .field = std::function<std::string&(A&)>([](A& a) -> std::string& { return a.figures.dir; }), .value_name = "DIR"},
      {.flags = "--plot-format", .key = "plot_format", .help = "Figure files: svg (default), png or both",
       .field = enum_choice<A>(fig::kFileKindNames,
                               std::function<fig::FileKinds&(A&)>([](A& a) -> fig::FileKinds& { return a.figures.kinds; }))},
      {.flags = "--html", .key = "html",
       .help = "Write a single-file HTML report (summary, sortable layer table, every figure inline)",
       .field = std::function<std::string&(A&)>([](A& a) -> std::string& { return a.figures.html; }), .value_name = "FILE"},
      {.flags = "--shard", .key = "shard",
       .help = "Analyze only shard K of N (1 <= K <= N): a cost-balanced share of the layers, the same on every "
               "node; write it as '--format jsonl -o part-K.jsonl' and join the parts with setol merge",
       .field = member(&A::shard), .value_name = "K/N"},
      {.flags = "--resume",
       .help = "Complete an interrupted '--format jsonl -o FILE' run: analyze only the layers missing from FILE "
               "(the inputs and options must be the same)",
       .field = member(&A::resume)},
  };
  return specs;
}

const std::vector<OptionSpec<CompareArgs>>& compare_cli_option_specs() {
  using C = CompareArgs;
  static const std::vector<OptionSpec<C>> specs = {
      {.flags = "--plot", .key = "plot", .help = "Draw each matched layer's two ESDs and alpha per layer into DIR",
       .field = std::function<std::string&(C&)>([](C& c) -> std::string& { return c.figures.dir; }), .value_name = "DIR"},
      {.flags = "--plot-format", .key = "plot_format", .help = "Figure files: svg (default), png or both",
       .field = enum_choice<C>(fig::kFileKindNames,
                               std::function<fig::FileKinds&(C&)>([](C& c) -> fig::FileKinds& { return c.figures.kinds; }))},
      {.flags = "--html", .key = "html", .help = "Write a single-file HTML report of the comparison",
       .field = std::function<std::string&(C&)>([](C& c) -> std::string& { return c.figures.html; }), .value_name = "FILE"},
  };
  return specs;
}

const std::vector<OptionSpec<PlotArgs>>& plot_option_specs() {
  using P = PlotArgs;
  static const std::vector<OptionSpec<P>> specs = {
      {.flags = "--esd", .help = "The --dump-esd folder of the run that wrote REPORT", .field = member(&P::esd),
       .value_name = "DIR"},
      {.flags = "-o,--output", .help = "Folder for the figure files",
       .field = std::function<std::string&(P&)>([](P& p) -> std::string& { return p.figures.dir; }), .value_name = "DIR"},
      {.flags = "--plot-format", .help = "Figure files: svg (default), png or both",
       .field = enum_choice<P>(fig::kFileKindNames,
                               std::function<fig::FileKinds&(P&)>([](P& p) -> fig::FileKinds& { return p.figures.kinds; }))},
      {.flags = "--html", .help = "Also write the single-file HTML report",
       .field = std::function<std::string&(P&)>([](P& p) -> std::string& { return p.figures.html; }), .value_name = "FILE"},
  };
  return specs;
}

namespace {
template <class T>
bool run_only_in(const std::vector<OptionSpec<T>>& specs, const std::string& key) {
  for (const auto& s : specs)
    if (s.key == key) return s.run_only;
  return false;
}
}  // namespace

bool run_only_option(const std::string& key) {
  return run_only_in(analyze_option_specs(), key) || run_only_in(analyze_cli_option_specs(), key) ||
         run_only_in(output_option_specs(), key) || run_only_in(input_option_specs(), key);
}

}  // namespace setol::cli
