// The models table: one row per input of a run with several inputs (docs/metrics.md,
// "Models table"). Its columns follow the summary: counts flattened to <column>_<value>,
// means under the summary's own key, so a notebook can plot mean alpha per checkpoint.
#include <algorithm>
#include <set>

#include "setol/report.hpp"

namespace setol {

std::vector<ColumnOf<ModelSummary>> model_columns(const std::vector<ModelSummary>& models) {
  using K = ColumnKind;
  using M = ModelSummary;
  std::vector<ColumnOf<M>> cols = {
      {.name = "model", .kind = K::Text, .get = [](const M& m) { return Cell{m.input.path}; },
       .doc = "The input as given", .table = TableSpec{"model", TableSpec::kFit}},
      {.name = "format", .kind = K::Text,
       .get = [](const M& m) { return m.input.format.empty() ? Cell{} : Cell{m.input.format}; },
       .doc = "Input format", .table = TableSpec{"format", TableSpec::kFit}},
      {.name = "status", .kind = K::Text,
       .get = [](const M& m) { return Cell{m.input.error.empty() ? std::string("ok") : "error: " + m.input.error}; },
       .doc = "ok, or error: why the input could not be analyzed", .table = TableSpec{"status", TableSpec::kFit}},
      {.name = "num_layers", .kind = K::Integer, .get = [](const M& m) { return Cell{m.summary.layers}; },
       .doc = "Rows of this input", .table = TableSpec{"layers", 8, true}},
  };
  // Every (column, value) pair counted in any model, so that all rows have the same columns.
  std::vector<std::pair<std::string, std::string>> counted;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& m : models)
    for (const auto& [column, counts] : m.summary.counts)
      for (const auto& [value, n] : counts)
        if (seen.insert({column, value}).second) counted.emplace_back(column, value);
  for (const auto& cv : counted) {
    const std::string& column = cv.first;  // not a structured binding: captured below (clang < 16)
    const std::string& value = cv.second;
    cols.push_back({.name = column + "_" + value, .kind = K::Integer,
                    .get = [column, value](const M& m) {
                      const auto c = m.summary.counts_of(column);
                      const auto it = c.find(value);
                      return Cell{it == c.end() ? std::int64_t{0} : it->second};
                    },
                    .doc = "Rows whose " + column + " is " + value});
  }
  std::vector<std::string> means;
  for (const auto& m : models)
    for (const auto& k : m.summary.mean_columns)
      if (std::find(means.begin(), means.end(), k) == means.end()) means.push_back(k);
  for (const auto& k : means)
    cols.push_back({.name = k, .kind = K::Real,
                    .get = [k](const M& m) {
                      const auto it = m.summary.means.find(k);
                      return it == m.summary.means.end() ? Cell{} : Cell{it->second};
                    },
                    .doc = "Mean " + k + " over the input's layers (as the summary)",
                    .table = TableSpec{k, TableSpec::kFit, true, 4}});
  return cols;
}

nlohmann::ordered_json model_summary_json(const ModelSummary& m) {
  nlohmann::ordered_json j = {{"model", m.input.path}};
  j["format"] = m.input.format.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(m.input.format);
  j["status"] = m.input.error.empty() ? "ok" : "error: " + m.input.error;
  j["summary"] = summary_json(m.summary);
  return j;
}

}  // namespace setol
