// analyze: one or more inputs (a sweep of checkpoints is one command), their layers scheduled
// together, one report with a summary per input, --fail-on gates, --resume.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "cli/commands.hpp"
#include "cli/fail_on.hpp"
#include "cli/interrupt.hpp"
#include "cli/mpi_session.hpp"
#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "cli/resume.hpp"
#include "setol/error.hpp"
#include "setol/lora.hpp"
#include "setol/report.hpp"

namespace setol::cli {
namespace {

// The run's error for its one input, whose reading failed mid-run. `err` is the InputError's
// message, "FILE: problem", where FILE is this input or a file in this folder: passed on as it
// is, so that the file is named once.
InputError input_failure(const std::string& path, const std::string& err) {
  const std::string input = one_line(path);
  const std::size_t colon = err.find(": ", input.size());
  if (err.compare(0, input.size(), input) == 0 && colon != std::string::npos)
    return InputError(err.substr(0, colon), err.substr(colon + 2));
  return InputError(path, err);
}

// The report's "options": the format used, every analysis option, then the CLI's own.
nlohmann::ordered_json options_json(const AnalyzeArgs& a, const OutputFormat& f) {
  nlohmann::ordered_json j;
  j["format"] = f.name;
  j.update(to_json(a.options));
  j.update(setol::options_json(a, analyze_cli_option_specs()));
  j.update(setol::options_json(a.out, output_option_specs()));
  j.update(setol::options_json(a.in, input_option_specs()));
  return j;
}

void print_profile(const std::vector<LayerRecord>& recs, double wall) {
  double load = 0, spec = 0, fit = 0;
  std::fprintf(stderr, "%-5s %-40s %10s %9s %9s %9s %5s\n", "id", "name", "N x M x rf", "load ms", "eig ms", "fit ms",
               "svd");
  for (const auto& r : recs) {
    if (!r.has_metrics()) continue;
    const auto& t = r.timings;
    load += t.load, spec += t.spectrum, fit += t.fit;
    const std::string shape = std::to_string(r.geometry.N) + "x" + std::to_string(r.geometry.M) + "x" +
                              std::to_string(r.geometry.rf);
    std::fprintf(stderr, "%-5d %-40.40s %10s %9.2f %9.2f %9.2f %5d\n", r.layer_id, r.name.c_str(), shape.c_str(),
                 t.load * 1e3, t.spectrum * 1e3, t.fit * 1e3, t.svd_slices);
  }
  std::fprintf(stderr, "total: wall %.3f s = load %.3f + eigenvalues %.3f + fit/metrics %.3f + other %.3f\n", wall,
               load, spec, fit, wall - load - spec - fit);
}

std::string esd_file_name(const LayerRecord& r, const std::string& kind) {
  return std::to_string(r.layer_id) + (r.slice_id ? "." + std::to_string(*r.slice_id) : std::string()) + kind + ".npy";
}

// One input of the run: its reader, its rows to compute and the rows a resumed report already has.
struct Input {
  InputInfo info;
  std::unique_ptr<ModelReader> model;
  std::vector<LayerRecord> records;
  std::vector<CellRow> finished;  // --resume: rows read back from the report
};

// --dump-esd's folder for a layer: DIR itself, or DIR/<k> for the k-th input (from 0) of several.
std::filesystem::path esd_folder(const std::string& dir, const std::vector<Input>& inputs, const std::string& model) {
  if (model.empty()) return dir;
  for (std::size_t k = 0; k < inputs.size(); ++k)
    if (inputs[k].info.path == model) return std::filesystem::path(dir) / std::to_string(k);
  return dir;
}

// --shard K/N: K and N, checked.
std::pair<int, int> parse_shard(const std::string& text) {
  int k = 0, n = 0;
  char slash = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d %c %d %c", &k, &slash, &n, &extra) != 3 || slash != '/' || n < 1 || k < 1 || k > n)
    throw UsageError("--shard: '" + one_line(text) + "' is not K/N with 1 <= K <= N");
  return {k, n};
}

std::vector<std::string> ordered_paths(const AnalyzeArgs& a) {
  std::vector<std::string> p = a.paths;
  // Trailing slashes (from a shell glob like run/checkpoint-*/) do not take part.
  auto bare = [](std::string s) {
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
  };
  if (!a.given_order)
    std::stable_sort(p.begin(), p.end(), [&](const std::string& x, const std::string& y) { return natural_less(bare(x), bare(y)); });
  return p;
}

// Opens and plans every input. With one input an error ends the run (exit 2, no report);
// with several it becomes that input's status and the others go on.
std::vector<Input> open_inputs(const AnalyzeArgs& a) {
  const auto paths = ordered_paths(a);
  const bool batch = paths.size() > 1;
  for (std::size_t i = 0; i < paths.size(); ++i)
    if (std::find(paths.begin(), paths.begin() + static_cast<std::ptrdiff_t>(i), paths[i]) != paths.begin() + static_cast<std::ptrdiff_t>(i))
      throw UsageError("input '" + one_line(paths[i]) + "' is given twice");
  std::vector<Input> inputs(paths.size());
  std::shared_ptr<const ModelReader> base;
  if (!a.base.empty()) base = open_model(a.base, a.in.format);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    Input& in = inputs[i];
    in.info.path = paths[i];
    try {
      in.model = with_lora_products(open_model(paths[i], a.in.format), paths[i], base);
      in.info.format = in.model->format();
      in.info.tensors = in.model->tensors().size();
      in.info.metadata = in.model->metadata();
      in.records = plan_layers(*in.model, a.options);
      if (in.records.empty() && !a.out.quiet)
        std::cerr << "setol: warning: " << one_line(paths[i]) << ": no weight layers found\n";
    } catch (const InputError& e) {
      if (!batch) throw;
      in.info.error = e.what();
      in.model.reset();
      if (!a.out.quiet) std::cerr << "setol: error: " << e.what() << '\n';
    }
    if (batch)
      for (auto& r : in.records) r.model = paths[i];
    fingerprint(in.info);
  }
  return inputs;
}

// --resume: checks the report on disk, drops from `inputs` the rows it already has (keeping
// them as cells for the summaries) and cuts a last line that was being written. Returns false
// when the report is already complete.
bool take_finished_rows(const AnalyzeArgs& a, const RunInfo& run, std::vector<Input>& inputs,
                        const std::vector<Column>& columns, bool cut_last_line) {
  const std::string& file = a.out.output;
  const PartialReport partial = read_partial_report(file);
  check_same_run(file, partial, run_header_json(run, true));
  if (partial.complete) return false;
  std::error_code ec;
  if (cut_last_line) std::filesystem::resize_file(file, partial.valid_bytes, ec);
  if (ec) throw InputError(file, "--resume: cannot cut the unfinished last line: " + ec.message());
  std::set<std::string> done;
  for (const auto& row : partial.rows) done.insert(row_key(row));
  for (auto& in : inputs) {
    std::erase_if(in.records, [&](const LayerRecord& r) { return done.count(row_key(r.model, r.layer_id, r.slice_id)) > 0; });
    for (const auto& row : partial.rows)
      if (row.value("model", std::string()) == (inputs.size() > 1 ? in.info.path : std::string()))
        in.finished.push_back(cells_from_json(row, columns));
  }
  return true;
}

// A hook for the tests of --resume: SETOL_TEST_INTERRUPT_AFTER=k sends SIGTERM to the run
// after k layers have been written.
std::size_t interrupt_after() {
  const char* v = std::getenv("SETOL_TEST_INTERRUPT_AFTER");
  return v ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : 0;
}

// An MPI worker rank: computes the units rank 0 hands it and sends back their rows (and the
// inputs that failed to read); writes --dump-esd files itself (a shared filesystem).
int run_worker(const AnalyzeArgs& a, std::vector<Input>& inputs, const std::vector<Column>& columns, MpiSession& mpi,
               const std::function<void(const LayerRecord&)>& dump_esd) {
  std::vector<ModelWork> work;  // the same list as rank 0's: errors go back by index in it
  for (auto& in : inputs)
    if (in.model) work.push_back({in.model.get(), &in.records, {}, true});
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  mpi.take_results = [&] {
    nlohmann::ordered_json j = {{"rows", std::move(rows)}, {"errors", nlohmann::ordered_json::array()}};
    for (std::size_t w = 0; w < work.size(); ++w)
      if (!work[w].error.empty()) j["errors"].push_back({w, work[w].error});
    rows = nlohmann::ordered_json::array();
    return j.dump();
  };
  analyze_models(work, a.options, [&](const LayerRecord& r) {
    rows.push_back(layer_row_json(r, columns));
    dump_esd(r);
  }, true, [&](const LayerRecord& r) {
    mpi.set_current("layer " + one_line(r.name) + (r.model.empty() ? "" : " of " + one_line(r.model)));
  }, &mpi);
  return 0;
}

// The run, in one process or as one rank of an MPI run (`mpi`).
int analyze(const AnalyzeArgs& args, MpiSession* mpi) {
  AnalyzeArgs a = args;
  const bool worker = mpi && mpi->rank() != 0;  // computes and sends rows; rank 0 writes the report
  if (mpi) {
    if (a.figures.active())
      throw UsageError("--plot and --html are not available under mpirun: use --dump-esd DIR, then setol plot");
    if (a.options.threads == 0) a.options.threads = 1;  // one rank per core
    if (worker) a.out.quiet = true;
  }
  validate(a.options);
  if (a.resume && !streams_to_file(a.out))
    throw UsageError("--resume completes a '--format jsonl -o FILE' report; give the same -o FILE");
  std::optional<std::pair<int, int>> shard;
  if (!a.shard.empty()) {
    shard = parse_shard(a.shard);
    if (chosen_format(a.out).name != "jsonl")
      throw UsageError("--shard writes a part for setol merge: give '--format jsonl' or '-o part-K.jsonl'");
    if (a.figures.active() || a.models_only)
      throw UsageError("--shard writes layer rows only: draw figures and the models table from the merged report");
  }
  install_interrupt_handlers();
  std::vector<Input> inputs = open_inputs(a);
  bool sliced = false;  // of the whole run, before a shard keeps its part: every part has the same columns
  for (const auto& in : inputs)
    for (const auto& r : in.records) sliced |= r.slice_id.has_value();
  ShardInfo shard_info;
  if (shard) {
    std::vector<ModelWork> all;
    for (auto& in : inputs) {
      shard_info.total_rows += in.records.size();
      if (in.model) all.push_back({in.model.get(), &in.records, {}, false});
    }
    a.options.run_units = keep_shard(all, a.options, shard->first, shard->second);
    shard_info.index = shard->first;
    shard_info.count = shard->second;
    for (const auto& in : inputs) shard_info.rows += in.records.size();
  }
  const bool batch = inputs.size() > 1;
  const auto columns = analyze_columns(a.options, sliced, batch);
  std::vector<FailRule> rules;
  if (!a.fail_on.empty()) rules = parse_fail_rules(a.fail_on, columns, inputs.size());
  if (!a.dump_esd.empty()) {
    for (std::size_t k = 0; k < (batch ? inputs.size() : 1); ++k) {
      std::error_code ec;
      std::filesystem::create_directories(esd_folder(a.dump_esd, inputs, batch ? inputs[k].info.path : ""), ec);
      if (ec) throw InputError(a.dump_esd, "cannot create --dump-esd folder: " + ec.message());
    }
  }

  RunInfo run{"analyze", {}, options_json(args, chosen_format(args.out)), shard_info};  // the options as given
  for (const auto& in : inputs) run.inputs.push_back(in.info);
  if (a.resume && std::filesystem::exists(a.out.output) && !take_finished_rows(a, run, inputs, columns, !worker)) {
    if (!a.out.quiet) std::cerr << "setol: " << one_line(a.out.output) << " is already complete\n";
    return 0;
  }
  const bool appending = a.resume && std::filesystem::exists(a.out.output);
  if (mpi && mpi->agree_setup(true) >= 0) return 2;  // another rank's setup failed; it says why
  auto dump_esd = [&](const LayerRecord& r) {
    if (a.dump_esd.empty() || !r.has_metrics()) return;
    const auto dir = esd_folder(a.dump_esd, inputs, r.model);
    write_npy_f64(dir / esd_file_name(r, ""), r.evals);
    if (r.randomized) write_npy_f64(dir / esd_file_name(r, ".rand"), r.randomized->evals);
  };
  if (worker) return run_worker(a, inputs, columns, *mpi, dump_esd);

  const auto t_start = std::chrono::steady_clock::now();
  Output out(a.out, appending);
  if (!appending) out.writer().begin(out.stream(), run);
  std::size_t total = 0, done = 0;
  double total_cost = 0;
  for (const auto& in : inputs) {
    total += in.records.size();
    for (const auto& r : in.records) total_cost += r.status == LayerStatus::Pending ? Progress::cost(r) : 0;
  }
  Progress progress(show_progress(a.out), total, total_cost);
  std::vector<std::string> paths;
  for (const auto& in : inputs) paths.push_back(in.info.path);
  FigureSink figures(a.figures, paths);
  const std::size_t stop_after = interrupt_after();
  std::vector<ModelWork> work;
  for (auto& in : inputs)
    if (in.model) work.push_back({in.model.get(), &in.records, {}, true});  // figures and --dump-esd copy them first
  std::mutex report_mutex;  // local rows (worker threads) and, under MPI, rows from other ranks
  auto write_row = [&](const CellRow& row) {
    if (a.models_only) return;
    out.writer().layer(out.stream(), row, columns);
    out.sync_finished_layers();
  };
  std::map<std::string, CellRow> remote;  // MPI: rows computed by other ranks, by row_key
  std::map<std::size_t, std::string> remote_errors;  // MPI: inputs other ranks could not read, by index in `work`
  if (mpi) {
    mpi->deliver_results = [&](const std::string& payload) {
      const auto j = nlohmann::ordered_json::parse(payload);
      const std::lock_guard<std::mutex> lock(report_mutex);
      for (const auto& row : j["rows"]) {
        CellRow cells = cells_from_json(row, columns);
        write_row(cells);
        remote[row_key(row)] = std::move(cells);
      }
      for (const auto& e : j["errors"]) remote_errors.emplace(e[0].get<std::size_t>(), e[1].get<std::string>());
    };
  }
  try {
    analyze_models(work, a.options, [&](const LayerRecord& r) {
      const std::lock_guard<std::mutex> lock(report_mutex);
      ++done;
      progress.finished(r);
      if (a.figures.active() && r.has_metrics())
        figures.layer(layer_row_json(r, columns), r.evals, r.randomized ? r.randomized->evals : std::vector<double>{});
      write_row(cells_of(r, columns));
      dump_esd(r);
      if (stop_after && done == stop_after) std::raise(SIGTERM);
    }, true, [&](const LayerRecord& r) { progress.started(r); }, mpi);
  } catch (...) {
    if (mpi) out.keep_partial();  // a rank failed: the finished rows stay for --resume
    throw;
  }
  progress.stop();
  for (const auto& [w, err] : remote_errors)
    if (w < work.size() && work[w].error.empty()) work[w].error = err;
  // A file that failed mid-run: that input's status (several inputs), or the run's error (one).
  for (std::size_t k = 0, w = 0; k < inputs.size(); ++k) {
    if (!inputs[k].model) continue;
    const std::string& err = work[w++].error;
    if (err.empty()) continue;
    if (!batch) throw input_failure(inputs[k].info.path, err);
    inputs[k].info.error = err;
    run.inputs[k].error = err;
  }

  // Rows of every input as the report has them (resumed rows first), their summaries and gates.
  std::vector<LayerRecord> all;
  std::vector<ModelSummary> models;
  std::vector<std::vector<CellRow>> rows(inputs.size());
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    rows[k] = inputs[k].finished;
    for (const auto& r : inputs[k].records) {
      const auto it = remote.find(row_key(r.model, r.layer_id, r.slice_id));
      rows[k].push_back(it != remote.end() ? it->second : cells_of(r, columns));
    }
    models.push_back({inputs[k].info, summarize(rows[k], columns)});
    all.insert(all.end(), inputs[k].records.begin(), inputs[k].records.end());
  }
  std::vector<CellRow> every;
  for (const auto& r : rows) every.insert(every.end(), r.begin(), r.end());
  const Summary summary = summarize(every, columns);
  const AnalyzeReport report{run, every, summary, columns, batch ? &models : nullptr, a.models_only};
  if (a.figures.active()) figures.finish(analyze_report_json({run, every, summary, columns, batch ? &models : nullptr}));
  out.writer().analyze(out.stream(), report);
  out.commit();
  if (a.profile)
    print_profile(all, std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count());

  int status = 0;
  if (!rules.empty()) {
    std::vector<GateInput> gates;
    for (std::size_t k = 0; k < inputs.size(); ++k)
      if (inputs[k].info.error.empty()) gates.push_back({inputs[k].info.path, &rows[k]});
    for (const auto& line : gate_failures(rules, gates, columns)) {
      std::cerr << "setol: --fail-on: " << one_line(line, 1000) << '\n';
      status = 1;
    }
  }
  for (const auto& in : inputs)
    if (!in.info.error.empty() && !a.keep_going) status = 2;
  return status;
}

}  // namespace

int run_analyze(const AnalyzeArgs& a) {
  MpiSession* mpi = mpi_session();
  if (!mpi) return analyze(a, nullptr);
  struct Finish {
    ~Finish() { mpi_finish(); }
  } finish;
  try {
    return analyze(a, mpi);
  } catch (const std::exception& e) {
    if (!mpi->agreed()) {
      // Every rank opens the same inputs, so they usually fail alike: the lowest failed rank speaks.
      if (mpi->agree_setup(false) == mpi->rank()) throw;
      return 2;
    }
    if (mpi->rank() == 0) throw;  // the ranks have left the dispatch: an ordinary exit 2
    std::cerr << "setol: error: rank " << mpi->rank() << ": " << one_line(e.what(), 1000) << '\n';
    mpi->abort(2);
  }
  return 2;  // not reached: abort() ends the process
}

}  // namespace setol::cli
