#include "cli/resume.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <tuple>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/report_shape.hpp"
#include "setol/error.hpp"

namespace setol::cli {
PartialReport read_partial_report(const std::string& file, const std::string& what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(file, what + ": cannot read the report");
  PartialReport p;
  std::string line;
  std::uintmax_t offset = 0;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline: the line was being written when the run stopped
    offset += line.size() + 1;
    ++n;
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      throw InputError(file, what + ": line " + std::to_string(n) + " is not a JSON object");
    const std::string where = "line " + std::to_string(n);
    if (n == 1) {
      const auto command = j.find("command");
      if (!j.contains("schema_version") || command == j.end() || *command != "analyze")
        throw InputError(file, what + ": not a setol analyze JSONL report (its first line is not the run header)");
      check_header_shape(file, what, where, j);
      p.header = std::move(j);
    } else if (j.contains("summary") || j.contains("models")) {
      check_summary_shape(file, what, where, j);
      p.complete = true;
      p.last = std::move(j);
    } else if (j.contains("layer_id")) {
      check_row_shape(file, what, where, j);
      p.rows.push_back(std::move(j));
    } else {
      throw InputError(file, what + ": line " + std::to_string(n) + " is neither a layer nor the summary");
    }
    p.valid_bytes = offset;
  }
  if (n == 0) throw InputError(file, what + ": the report has no run header line");
  return p;
}

void check_same_run(const std::string& file, const PartialReport& partial, const nlohmann::ordered_json& header) {
  const auto& old = partial.header;
  if (old.value("tool", nlohmann::ordered_json::object()) != header["tool"])
    throw InputError(file, "--resume: the report was written by another setol version");
  const auto& a = old["inputs"];
  const auto& b = header["inputs"];
  if (!a.is_array() || a.size() != b.size())
    throw InputError(file, "--resume: the report was written for other inputs");
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (a[i].value("path", "") != b[i]["path"])
      throw InputError(file, "--resume: input " + std::to_string(i + 1) + " differs (report: " +
                                 a[i].value("path", std::string("?")) + ")");
    if (a[i].value("bytes", std::int64_t{-2}) != b[i]["bytes"] || a[i].value("mtime_ns", std::int64_t{-2}) != b[i]["mtime_ns"])
      throw InputError(file, "--resume: " + b[i]["path"].get<std::string>() +
                                 " has changed since the report was started (size or modification time)");
  }
  const auto& oa = old.value("options", nlohmann::ordered_json::object());
  const auto& ob = header["options"];
  for (const auto& [key, v] : ob.items()) {
    if (run_only_option(key)) continue;
    if (!oa.contains(key) || oa[key] != v)
      throw InputError(file, "--resume: option " + key + " differs from the interrupted run's (" +
                                 (oa.contains(key) ? oa[key].dump() : std::string("absent")) + " there, " + v.dump() +
                                 " now)");
  }
}

std::string row_key(const std::string& model, std::int64_t layer_id, std::optional<int> slice_id) {
  return model + '\n' + std::to_string(layer_id) + '\n' + (slice_id ? std::to_string(*slice_id) : "-");
}

std::string row_key(const nlohmann::ordered_json& row) {
  std::optional<int> slice;
  if (row.contains("slice_id") && row["slice_id"].is_number_integer()) slice = row["slice_id"].get<int>();
  const std::string model = row.contains("model") && row["model"].is_string() ? row["model"].get<std::string>() : "";
  return row_key(model, row.value("layer_id", std::int64_t{-1}), slice);
}

void sort_rows_in_plan_order(std::vector<nlohmann::ordered_json>& rows, const nlohmann::ordered_json& inputs) {
  std::map<std::string, std::size_t> input_index;
  for (std::size_t k = 0; k < inputs.size(); ++k) input_index[inputs[k].value("path", std::string())] = k;
  auto order = [&](const nlohmann::ordered_json& r) {
    const auto slice = r.value("slice_id", nlohmann::ordered_json());
    const auto model = r.value("model", nlohmann::ordered_json());
    return std::tuple(model.is_string() ? input_index[model.get<std::string>()] : 0, r.value("layer_id", std::int64_t{0}),
                      slice.is_number() ? slice.get<std::int64_t>() : -1);
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) { return order(a) < order(b); });
}

InputInfo input_info_from_json(const nlohmann::ordered_json& j) {
  InputInfo in;
  auto text = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  in.path = text("path");
  in.format = text("format");
  in.error = text("error");
  in.role = text("role");
  in.tensors = j.value("tensors", std::size_t{0});
  if (const auto it = j.find("metadata"); it != j.end() && it->is_object())
    for (const auto& [k, v] : it->items()) in.metadata.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
  in.bytes = j.value("bytes", std::int64_t{-1});
  in.mtime_ns = j.value("mtime_ns", std::int64_t{-1});
  return in;
}

CellRow cells_from_json(const nlohmann::ordered_json& row, const std::vector<Column>& columns) {
  CellRow cells;
  cells.reserve(columns.size());
  for (const auto& c : columns) {
    const auto it = row.find(c.name);
    if (it == row.end() || it->is_null()) cells.emplace_back();
    else if (it->is_boolean()) cells.emplace_back(it->get<bool>());
    else if (it->is_number_integer())  // the writers print a double with a point or exponent: "7.0"
      cells.emplace_back(it->get<std::int64_t>());
    else if (it->is_number()) cells.emplace_back(it->get<double>());
    else if (it->is_string()) cells.emplace_back(it->get<std::string>());
    else if (it->is_array()) cells.emplace_back(it->get<std::vector<std::int64_t>>());
    else cells.emplace_back();
  }
  return cells;
}

}  // namespace setol::cli
