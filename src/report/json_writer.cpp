// JSON: one document with the run header (tool, inputs, options), the rows and the summary.
#include <cmath>

#include "report/json_text.hpp"
#include "report/rows.hpp"

namespace setol {

nlohmann::ordered_json run_header_json(const RunInfo& run, bool fingerprints) {
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["tool"] = {{"name", "setol"}, {"version", SETOL_VERSION}};
  j["command"] = run.command;
  j["inputs"] = nlohmann::ordered_json::array();
  for (const auto& in : run.inputs) {
    nlohmann::ordered_json input = {{"path", in.path}};
    input["format"] = in.format.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(in.format);
    input["tensors"] = in.tensors;
    if (!in.metadata.empty()) {
      input["metadata"] = nlohmann::ordered_json::object();
      for (const auto& [k, v] : in.metadata) input["metadata"][k] = v;
    }
    if (!in.error.empty()) input["error"] = in.error;
    if (!in.role.empty()) input["role"] = in.role;
    if (fingerprints) {
      input["bytes"] = in.bytes;
      input["mtime_ns"] = in.mtime_ns;
    }
    j["inputs"].push_back(input);
  }
  j["options"] = run.options;
  if (run.shard.count > 0)
    j["shard"] = {{"index", run.shard.index}, {"count", run.shard.count}, {"rows", run.shard.rows},
                  {"total_rows", run.shard.total_rows}};
  return j;
}

void add_summaries_json(nlohmann::ordered_json& j, const AnalyzeReport& rep) {
  if (!rep.models) {
    j["summary"] = summary_json(rep.summary);
    return;
  }
  j["models"] = nlohmann::ordered_json::array();
  for (const auto& m : *rep.models) j["models"].push_back(model_summary_json(m));
}

// Means first (null where no layer had a value), then num_layers and the counts.
nlohmann::ordered_json summary_json(const Summary& s) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& k : s.mean_columns) {
    auto it = s.means.find(k);
    j[k] = (it == s.means.end() || !std::isfinite(it->second)) ? nlohmann::ordered_json(nullptr)
                                                                : nlohmann::ordered_json(it->second);
  }
  j["num_layers"] = s.layers;
  for (const auto& [column, counts] : s.counts) j[column + "_counts"] = counts;
  return j;
}

nlohmann::ordered_json analyze_report_json(const AnalyzeReport& rep) {
  nlohmann::ordered_json j = run_header_json(rep.run);
  if (!rep.models_only) {
    j["layers"] = nlohmann::ordered_json::array();
    const auto columns = cell_columns(rep.columns);
    for (const auto& r : rep.layers) j["layers"].push_back(report::row_json(r, columns));
  }
  add_summaries_json(j, rep);
  return j;
}

nlohmann::ordered_json compare_report_json(const CompareReport& rep) {
  nlohmann::ordered_json j = run_header_json(rep.run);
  j["layers"] = nlohmann::ordered_json::array();
  for (const auto& r : rep.rows) j["layers"].push_back(report::row_json(r, rep.columns));
  j["summary"] = summary_json(rep.summary);
  return j;
}

namespace {

class JsonWriter final : public ReportWriter {
 public:
  void analyze(std::ostream& os, const AnalyzeReport& rep) override {
    os << report::json_text(analyze_report_json(rep), 1) << '\n';
  }
  void compare(std::ostream& os, const CompareReport& rep) override {
    os << report::json_text(compare_report_json(rep), 1) << '\n';
  }
  void describe(std::ostream& os, const DescribeReport& rep) override {
    nlohmann::ordered_json j = run_header_json(rep.run);
    j["tensors"] = nlohmann::ordered_json::array();
    for (const auto& t : rep.tensors) j["tensors"].push_back(report::row_json(t, describe_columns()));
    os << report::json_text(j, 1) << '\n';
  }
};

}  // namespace

std::unique_ptr<ReportWriter> make_json_writer() { return std::make_unique<JsonWriter>(); }

}  // namespace setol
