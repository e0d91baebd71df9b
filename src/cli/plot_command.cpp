// plot: the figures of a saved report, from its rows and the eigenvalues --dump-esd wrote, with
// no spectrum recomputed: the same files `analyze --plot` writes (a CI artifact turned into
// pictures later).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <tuple>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/report_shape.hpp"
#include "cli/resume.hpp"
#include "setol/error.hpp"
#include "setol/model_reader.hpp"

namespace setol::cli {
namespace {

// A JSON report, or a JSONL one put back together (header, rows, summary line).
nlohmann::ordered_json read_report(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot read the report");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto j = nlohmann::ordered_json::parse(text, nullptr, false);
  const bool jsonl = j.is_discarded();
  if (jsonl) {
    std::istringstream lines(text);
    std::string line;
    j = nlohmann::ordered_json();
    j["layers"] = nlohmann::ordered_json::array();
    for (std::size_t n = 1; std::getline(lines, line); ++n) {
      auto l = nlohmann::ordered_json::parse(line, nullptr, false);
      if (l.is_discarded() || !l.is_object()) throw InputError(path, "line " + std::to_string(n) + " is not JSON");
      if (n == 1) {
        for (const auto& [k, v] : l.items()) j[k] = v;
        j["layers"] = nlohmann::ordered_json::array();
      } else if (l.contains("layer_id")) {
        j["layers"].push_back(std::move(l));
      } else {
        for (const auto& [k, v] : l.items()) j[k] = v;
      }
    }
  }
  if (!j.is_object() || !j.contains("layers") || !j["layers"].is_array())
    throw InputError(path, "not a setol analyze report with layer rows");
  check_header_shape(path, "not a setol analyze report", "header", j);
  auto& layers = j["layers"];
  for (std::size_t k = 0; k < layers.size(); ++k)
    check_row_shape(path, "not a setol analyze report", "layer row " + std::to_string(k + 1), layers[k]);
  if (jsonl) {  // as the JSON report would hold it: no file fingerprints, rows in plan order
    for (auto& in : j["inputs"]) in.erase("bytes"), in.erase("mtime_ns");
    std::vector<nlohmann::ordered_json> rows(layers.begin(), layers.end());
    sort_rows_in_plan_order(rows, j["inputs"]);
    layers = rows;
  }
  return j;
}

std::vector<double> read_esd(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw InputError(file.string(), "eigenvalues missing (was the report written with --dump-esd into this folder?)");
  const auto m = open_model(file, "npy");
  auto evals = to_f64(m->load(0));
  for (const double v : evals)
    if (!std::isfinite(v)) throw InputError(file.string(), "holds an eigenvalue that is not a finite number");
  return evals;
}

}  // namespace

int run_plot(const PlotArgs& a) {
  if (a.figures.dir.empty() && a.figures.html.empty()) throw UsageError("plot: give -o DIR and/or --html FILE");
  if (a.esd.empty()) throw UsageError("plot: --esd DIR (the report's --dump-esd folder) is required");
  const nlohmann::ordered_json report = read_report(a.report);
  std::vector<std::string> inputs;
  for (const auto& in : report["inputs"]) inputs.push_back(in.value("path", std::string()));
  FigureSink figures(a.figures, inputs);
  for (const auto& row : report["layers"]) {
    const std::string status = row.value("status", std::string());
    if (status != "success" && status != "failed") continue;  // rows with metrics, as analyze draws them
    std::filesystem::path dir = a.esd;
    if (inputs.size() > 1)
      for (std::size_t k = 0; k < inputs.size(); ++k)
        if (inputs[k] == row.value("model", std::string())) dir /= std::to_string(k);
    std::string stem = row["layer_id"].dump();
    if (row.contains("slice_id") && row["slice_id"].is_number()) stem += "." + row["slice_id"].dump();
    const auto rand = dir / (stem + ".rand.npy");
    std::error_code ec;
    figures.layer(row, read_esd(dir / (stem + ".npy")),
                  std::filesystem::exists(rand, ec) ? read_esd(rand) : std::vector<double>{});
  }
  figures.finish(report);
  return 0;
}

}  // namespace setol::cli
