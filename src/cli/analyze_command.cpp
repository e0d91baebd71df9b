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

nlohmann::ordered_json string_or_null(const std::string& s) {
  return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
}

nlohmann::ordered_json options_json(const AnalyzeArgs& a, Format f) {
  const auto& o = a.options;
  nlohmann::ordered_json j;
  j["format"] = f == Format::Json ? "json" : f == Format::Jsonl ? "jsonl" : f == Format::Csv ? "csv" : "table";
  j["min_evals"] = o.min_evals;
  j["max_evals"] = o.max_evals;
  j["max_n"] = o.max_n;
  j["pool"] = o.pool;
  j["threads"] = o.threads;
  j["layers"] = o.layers;
  const auto& t = o.tail;
  j["fit"] = t.distribution == TailDistribution::TruncatedPowerLaw ? "TPL" : "PL";
  j["fix_fingers"] = string_or_null(t.fix_fingers == FixFingers::None       ? ""
                                    : t.fix_fingers == FixFingers::XminPeak ? "xmin_peak"
                                                                            : "clip_xmax");
  j["xmin_max"] = t.xmin_max > 0 ? nlohmann::ordered_json(t.xmin_max) : nlohmann::ordered_json(nullptr);
  j["max_fingers"] = t.max_fingers;
  j["finger_thresh"] = t.finger_thresh;
  j["xmin_peak_ww_window"] = t.ww_xmin_peak_window;
  j["mp_fit"] = o.mp_fit;
  j["randomize"] = o.randomize;
  j["seed"] = o.seed;
  j["detx"] = o.detx;
  j["setol"] = o.setol;
  j["htmp"] = o.htmp;
  j["precision"] = o.single_precision ? "f32" : "f64";
  j["xmin_threshold"] = kFitEvalsThreshold;
  j["conv2d_norm"] = true;
  j["dump_esd"] = string_or_null(a.dump_esd);
  j["fail_on"] = string_or_null(a.fail_on);
  j["output"] = string_or_null(a.out.output);
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
  auto model = open_model(a.path);
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
    if (out.format() == Format::Jsonl) out.stream() << record_json(r, columns).dump() << '\n' << std::flush;
    if (!a.dump_esd.empty() && r.has_metrics()) {
      write_npy_f64(std::filesystem::path(a.dump_esd) / esd_file_name(r, ""), r.evals);
      if (r.randomized)
        write_npy_f64(std::filesystem::path(a.dump_esd) / esd_file_name(r, ".rand"), r.randomized->evals);
    }
  });
  if (progress) std::cerr << "\r\x1b[K";
  if (records.empty() && !a.out.quiet)
    std::cerr << "setol: warning: " << a.path << ": no weight layers found\n";

  const Summary summary = summarize(records);
  RunInfo run{"analyze", a.path, model->format(), model->tensors().size(), options_json(a, out.format())};
  switch (out.format()) {
    case Format::Json: write_json(out.stream(), run, records, summary, columns); break;
    case Format::Jsonl: {
      nlohmann::ordered_json j = run_header_json(run);
      j["summary"] = summary_json(summary);
      out.stream() << j.dump() << '\n';
      break;
    }
    case Format::Csv: write_csv(out.stream(), records, columns); break;
    case Format::Table: write_table(out.stream(), records, summary); break;
  }
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
