#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/fail_on.hpp"
#include "cli/output.hpp"
#include "setol/error.hpp"
#include "setol/report.hpp"

namespace setol::cli {
namespace {

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

}  // namespace

int run_analyze(const AnalyzeArgs& a) {
  validate(a.options);
  auto model = open_model(a.path, a.in.format);
  std::vector<LayerRecord> records = plan_layers(*model, a.options);
  bool sliced = false;
  for (const auto& r : records) sliced |= r.slice_id.has_value();
  const auto columns = analyze_columns(a.options, sliced);
  std::vector<FailRule> rules;
  if (!a.fail_on.empty()) rules = parse_fail_rules(a.fail_on, columns);
  if (!a.dump_esd.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(a.dump_esd, ec);
    if (ec) throw InputError(a.dump_esd, "cannot create --dump-esd folder: " + ec.message());
  }

  const auto t_start = std::chrono::steady_clock::now();
  Output out(a.out);
  const bool progress = show_progress(a.out);
  std::size_t done = 0;
  analyze_layers(*model, records, a.options, [&](const LayerRecord& r) {
    ++done;
    if (progress)
      std::cerr << "\r[" << done << "/" << records.size() << "] " << r.name << "\x1b[K" << std::flush;
    out.writer().layer(out.stream(), r, columns);
    if (!a.dump_esd.empty() && r.has_metrics()) {
      write_npy_f64(std::filesystem::path(a.dump_esd) / esd_file_name(r, ""), r.evals);
      if (r.randomized)
        write_npy_f64(std::filesystem::path(a.dump_esd) / esd_file_name(r, ".rand"), r.randomized->evals);
    }
  });
  if (progress) std::cerr << "\r\x1b[K";
  if (records.empty() && !a.out.quiet)
    std::cerr << "setol: warning: " << a.path << ": no weight layers found\n";

  const Summary summary = summarize(records, columns);
  const RunInfo run{"analyze", a.path, model->format(), model->tensors().size(), options_json(a, out.format()),
                    model->metadata()};
  out.writer().analyze(out.stream(), {run, records, summary, columns});
  out.commit();
  if (a.profile)
    print_profile(records, std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count());

  if (!rules.empty()) {
    const auto bad = failing_layers(rules, records, columns);
    if (!bad.empty()) {
      std::cerr << "setol: --fail-on matched " << bad.size() << " layer(s):";
      for (const auto& b : bad) std::cerr << "\n  " << b;
      std::cerr << '\n';
      return 1;
    }
  }
  return 0;
}

}  // namespace setol::cli
