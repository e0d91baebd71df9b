#include <cmath>

#include "setol/report.hpp"

namespace setol {

namespace {
nlohmann::ordered_json cell_json(const Cell& c) {
  return std::visit(
      [](const auto& v) -> nlohmann::ordered_json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) return nullptr;
        else if constexpr (std::is_same_v<T, double>) return std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr;
        else return v;
      },
      c);
}
}  // namespace

nlohmann::ordered_json record_json(const LayerRecord& r, const std::vector<Column>& cols) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& c : cols) j[c.name] = cell_json(c.get(r));
  return j;
}

nlohmann::ordered_json summary_json(const Summary& s) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const char* k :
       {"log_norm", "alpha", "alpha_weighted", "log_alpha_norm", "log_spectral_norm", "stable_rank", "mp_softrank"}) {
    auto it = s.means.find(k);
    if (it == s.means.end() && std::string(k) == "mp_softrank") continue;
    j[k] = (it == s.means.end() || !std::isfinite(it->second)) ? nlohmann::ordered_json(nullptr)
                                                                : nlohmann::ordered_json(it->second);
  }
  j["num_layers"] = s.layers;
  j["status_counts"] = s.status_counts;
  j["warning_counts"] = s.warning_counts;
  return j;
}

nlohmann::ordered_json run_header_json(const RunInfo& run) {
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["tool"] = {{"name", "setol"}, {"version", SETOL_VERSION}};
  j["command"] = run.command;
  j["inputs"] = nlohmann::ordered_json::array(
      {{{"path", run.input_path}, {"format", run.input_format}, {"tensors", run.tensors}}});
  j["options"] = run.options;
  return j;
}

void write_json(std::ostream& os, const RunInfo& run, const std::vector<LayerRecord>& recs, const Summary& s,
                const std::vector<Column>& cols) {
  nlohmann::ordered_json j = run_header_json(run);
  j["layers"] = nlohmann::ordered_json::array();
  for (const auto& r : recs) j["layers"].push_back(record_json(r, cols));
  j["summary"] = summary_json(s);
  os << j.dump(1) << '\n';
}

}  // namespace setol
