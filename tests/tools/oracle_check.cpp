// Compares setol's analyze results with WeightWatcher 0.7.5.5's own outputs (the
// oracle: details.json, summary.json and evals/*.npy written by WeightWatcher).
//
//   setol_oracle_check MODEL ORACLE_DIR [--evals-tol 1e-9] [--tol 1e-6] [--quiet]
//
// Layers are matched by name. Eigenvalues must agree to evals-tol * lambda_max, the
// chosen xmin exactly (same eigenvalue, to evals-tol relative), integer columns exactly,
// and every other numeric column to `tol` relative. Prints the worst deviation per
// column; exits 1 on any violation.
#include <cmath>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "setol/analyze.hpp"
#include "setol/model_reader.hpp"
#include "setol/report.hpp"

using nlohmann::json;
using namespace setol;

namespace {

struct Worst {
  double dev = 0;
  std::string where;
  int count = 0;
};

std::vector<double> read_evals(const std::string& path) {
  auto m = open_model(path);
  auto t = m->load(0);
  std::vector<double> v(static_cast<std::size_t>(t.info().numel()));
  std::memcpy(v.data(), t.bytes(), v.size() * sizeof(double));
  return v;
}

double as_double(const json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    if (s == "NaN") return std::nan("");
    if (s == "Infinity") return INFINITY;
    if (s == "-Infinity") return -INFINITY;
  }
  return std::nan("");
}

double cell_double(const Cell& c) {
  if (auto d = std::get_if<double>(&c)) return *d;
  if (auto i = std::get_if<std::int64_t>(&c)) return static_cast<double>(*i);
  return std::nan("");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: setol_oracle_check MODEL ORACLE_DIR [--evals-tol X] [--tol X] [--quiet]\n";
    return 2;
  }
  const std::string model_path = argv[1], oracle = argv[2];
  double evals_tol = 1e-9, tol = 1e-6;
  bool quiet = false;
  for (int i = 3; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--evals-tol") && i + 1 < argc) evals_tol = std::stod(argv[++i]);
    else if (!std::strcmp(argv[i], "--tol") && i + 1 < argc) tol = std::stod(argv[++i]);
    else if (!std::strcmp(argv[i], "--quiet")) quiet = true;
  }
  json details, index;
  std::ifstream(oracle + "/details.json") >> details;
  std::ifstream(oracle + "/evals/index.json") >> index;
  std::map<std::string, std::string> evals_file;
  for (const auto& e : index) evals_file[e["name"].get<std::string>()] = e["evals"].get<std::string>();

  auto model = open_model(model_path);
  AnalyzeOptions opt;
  opt.threads = 1;
  auto records = plan_layers(*model, opt);
  analyze_layers(*model, records, opt);
  std::map<std::string, const LayerRecord*> ours;
  for (const auto& r : records) ours[r.name] = &r;
  const auto cols = analyze_columns(opt, false);

  const std::vector<std::string> exact = {"N", "M", "rf", "num_evals", "num_pl_spikes", "matrix_rank", "rank_loss",
                                          "weak_rank_loss"};
  const std::vector<std::string> relative = {"Q", "alpha", "alpha_weighted", "log_alpha_norm", "xmin", "xmax", "D",
                                             "sigma", "norm", "log_norm", "spectral_norm", "log_spectral_norm",
                                             "stable_rank", "entropy", "lambda_max", "sv_max", "sv_min"};
  std::map<std::string, Worst> worst;
  int failures = 0;
  auto fail = [&](const std::string& msg) {
    ++failures;
    std::cerr << "MISMATCH " << msg << '\n';
  };
  std::vector<const LayerRecord*> matched;
  for (const auto& rec : details["records"]) {
    const std::string name = rec["name"].get<std::string>();
    auto it = ours.find(name);
    if (it == ours.end()) {
      fail(name + ": no such layer in setol's output");
      continue;
    }
    const LayerRecord& r = *it->second;
    matched.push_back(&r);
    if (r.status_text() != rec["status"].get<std::string>())
      fail(name + ": status " + r.status_text() + " vs " + rec["status"].get<std::string>());
    if (r.warning() != rec["warning"].get<std::string>())
      fail(name + ": warning '" + r.warning() + "' vs '" + rec["warning"].get<std::string>() + "'");
    // Eigenvalues
    const auto ref = read_evals(oracle + "/evals/" + evals_file.at(name));
    auto& we = worst["evals (of lambda_max)"];
    ++we.count;
    if (ref.size() != r.evals.size()) {
      fail(name + ": " + std::to_string(r.evals.size()) + " eigenvalues vs " + std::to_string(ref.size()));
    } else {
      double d = 0;
      for (std::size_t i = 0; i < ref.size(); ++i) d = std::max(d, std::fabs(r.evals[i] - ref[i]));
      d /= ref.back();
      if (d > we.dev) we = {d, name, we.count};
      if (d > evals_tol) fail(name + ": eigenvalues differ by " + std::to_string(d) + " of lambda_max");
    }
    for (const auto& c : cols) {
      const bool is_exact = std::find(exact.begin(), exact.end(), c.name) != exact.end();
      const bool is_rel = std::find(relative.begin(), relative.end(), c.name) != relative.end();
      if (!is_exact && !is_rel) continue;
      const double a = cell_double(c.get(r));
      const double b = as_double(rec[c.name]);
      auto& w = worst[c.name];
      ++w.count;
      if (std::isnan(a) && std::isnan(b)) continue;
      double d = is_exact ? std::fabs(a - b) : std::fabs(a - b) / std::max(std::fabs(b), 1e-300);
      double limit = is_exact ? 0 : (c.name == "xmin" ? evals_tol : tol);
      if (c.name == "sv_min") {
        // The smallest singular value of a rank-deficient matrix is rounding noise (1e-30 and
        // the like) in any SVD; compare it on the eigenvalue scale, sigma^2 against lambda_max.
        d = std::fabs(a * a - b * b) / as_double(rec["lambda_max"]);
        limit = evals_tol;
      }
      if (!(d <= w.dev)) w = {d, name, w.count};
      if (!(d <= limit)) {
        std::ostringstream m;
        m << std::setprecision(17) << name << ": " << c.name << " " << a << " vs " << b;
        fail(m.str());
      }
    }
  }
  // Summary means over the matched layers against WeightWatcher's get_summary().
  json summary;
  std::ifstream(oracle + "/summary.json") >> summary;
  std::vector<LayerRecord> sub;
  for (auto* r : matched) sub.push_back(*r);
  const Summary s = summarize(sub);
  for (const auto& [k, v] : summary.items()) {
    auto it = s.means.find(k);
    if (it == s.means.end()) {
      if (k != "mp_softrank") fail("summary " + k + " missing");
      continue;
    }
    const double d = std::fabs(it->second - v.get<double>()) / std::max(std::fabs(v.get<double>()), 1e-300);
    auto& w = worst["summary." + k];
    ++w.count;
    if (d > w.dev) w = {d, "summary", w.count};
    if (d > tol) fail("summary " + k);
  }
  if (!quiet) {
    std::cout << "oracle " << oracle << ": " << details["records"].size() << " layers, model " << model_path << '\n';
    for (const auto& [k, w] : worst)
      std::cout << "  " << std::left << std::setw(24) << k << std::right << std::setw(4) << w.count
                << " compared, worst " << std::scientific << std::setprecision(2) << w.dev << std::defaultfloat
                << (w.where.empty() ? "" : "  (" + w.where + ")") << '\n';
  }
  std::cout << (failures ? "FAIL " : "OK ") << oracle << " (" << failures << " mismatches)\n";
  return failures ? 1 : 0;
}
