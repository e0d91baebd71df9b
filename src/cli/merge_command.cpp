// merge: the report of a run done in parts (--shard K/N on several nodes). The parts must be
// complete JSONL reports of the same run (tool version, inputs, options) and hold every
// layer exactly once; the merged report is the one a single run would have written.
#include <algorithm>
#include <map>
#include <set>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/resume.hpp"
#include "setol/error.hpp"

namespace setol::cli {
namespace {

// Options that may differ between the parts: which share each part held, and how or where
// each node ran.
bool per_part_option(const std::string& key) { return key == "shard" || run_only_option(key); }

// An input as the parts must agree on it (a node's copy may have another modification time).
nlohmann::ordered_json identity(nlohmann::ordered_json input) {
  input.erase("mtime_ns");
  return input;
}

struct Part {
  std::string file;
  PartialReport report;
  int index = 0, count = 0;
  std::size_t rows = 0, total_rows = 0;
};

Part read_part(const std::string& file) {
  Part p{file, read_partial_report(file, "not a --shard part")};
  const auto& h = p.report.header;
  const auto it = h.find("shard");
  if (it == h.end() || !it->is_object())
    throw InputError(file, "not a --shard part (its header has no \"shard\")");
  p.index = it->value("index", 0);
  p.count = it->value("count", 0);
  p.rows = it->value("rows", std::size_t{0});
  p.total_rows = it->value("total_rows", std::size_t{0});
  if (p.count < 1 || p.index < 1 || p.index > p.count) throw InputError(file, "its \"shard\" is not K of N");
  if (!p.report.complete)
    throw InputError(file, "part " + std::to_string(p.index) + "/" + std::to_string(p.count) +
                               " is incomplete (no summary line): finish it with --resume");
  if (p.report.rows.size() != p.rows)
    throw InputError(file, "has " + std::to_string(p.report.rows.size()) + " layer rows, its header says " +
                               std::to_string(p.rows));
  return p;
}

void check_same_run(const Part& first, const Part& p) {
  const auto& a = first.report.header;
  const auto& b = p.report.header;
  auto differs = [&](const std::string& what) {
    return InputError(p.file, "is not a part of the same run as " + first.file + " (" + what + " differs)");
  };
  if (a.value("tool", nlohmann::ordered_json()) != b.value("tool", nlohmann::ordered_json())) throw differs("setol version");
  const auto& ia = a["inputs"];
  const auto& ib = b["inputs"];
  if (!ia.is_array() || !ib.is_array() || ia.size() != ib.size()) throw differs("the inputs");
  for (std::size_t k = 0; k < ia.size(); ++k)
    if (identity(ia[k]) != identity(ib[k])) throw differs("input " + std::to_string(k + 1));
  const auto& oa = a["options"];
  const auto& ob = b["options"];
  std::set<std::string> keys;
  for (const auto& [k, v] : oa.items()) keys.insert(k);
  for (const auto& [k, v] : ob.items()) keys.insert(k);
  for (const auto& k : keys)
    if (!per_part_option(k) && oa.value(k, nlohmann::ordered_json()) != ob.value(k, nlohmann::ordered_json()))
      throw differs("option " + k);
  if (p.count != first.count) throw differs("the number of shards");
  if (p.total_rows != first.total_rows) throw differs("the number of layers");
}

// The columns of the rows, from the catalogue, in the rows' order.
std::vector<Column> columns_of(const std::string& file, const nlohmann::ordered_json& row) {
  std::vector<Column> out;
  for (const auto& [name, v] : row.items()) {
    const Column* c = nullptr;
    for (const auto& e : column_catalogue())
      if (e.column.name == name) c = &e.column;
    if (!c) throw InputError(file, "column '" + one_line(name) + "' is not one of this setol's");
    out.push_back(*c);
  }
  return out;
}

// An input's error as the parts' last lines report it (a file that failed mid-run).
std::string input_error(const std::vector<Part>& parts, std::size_t k, const InputInfo& in) {
  if (!in.error.empty()) return in.error;
  for (const auto& p : parts) {
    const auto& models = p.report.last.value("models", nlohmann::ordered_json::array());
    if (k < models.size() && models[k].value("status", std::string("ok")).rfind("error: ", 0) == 0)
      return models[k]["status"].get<std::string>().substr(7);
  }
  return {};
}

}  // namespace

int run_merge(const MergeArgs& a) {
  std::vector<Part> parts;
  for (const auto& f : a.parts) parts.push_back(read_part(f));
  const Part& first = parts.front();
  std::map<int, const Part*> by_index;
  for (const auto& p : parts) {
    check_same_run(first, p);
    if (!by_index.emplace(p.index, &p).second)
      throw InputError(p.file, "part " + std::to_string(p.index) + "/" + std::to_string(p.count) + " is also " +
                                   by_index[p.index]->file);
  }
  for (int k = 1; k <= first.count; ++k)
    if (!by_index.count(k))
      throw UsageError("part " + std::to_string(k) + "/" + std::to_string(first.count) + " is missing (" +
                       std::to_string(parts.size()) + " of " + std::to_string(first.count) + " parts given)");

  std::vector<nlohmann::ordered_json> rows;
  std::map<std::string, const Part*> seen;
  for (const auto& p : parts)
    for (const auto& r : p.report.rows) {
      const auto [it, fresh] = seen.emplace(row_key(r), &p);
      if (!fresh)
        throw InputError(p.file, "layer " + one_line(r.value("name", std::string("?"))) + " is also in " + it->second->file);
      rows.push_back(r);
    }
  if (rows.size() != first.total_rows)
    throw InputError(first.file, "the parts hold " + std::to_string(rows.size()) + " layers of the run's " +
                                     std::to_string(first.total_rows));

  const auto& header = first.report.header;
  sort_rows_in_plan_order(rows, header["inputs"]);
  RunInfo run{"analyze", {}, header["options"]};
  for (std::size_t k = 0; k < header["inputs"].size(); ++k) {
    InputInfo in = input_info_from_json(header["inputs"][k]);
    in.error = input_error(parts, k, in);
    run.inputs.push_back(in);
  }
  // The options a single run with this -o and --format would have reported.
  run.options["format"] = std::string(chosen_format(a.out).name);
  run.options["shard"] = nullptr;
  run.options["output"] = a.out.output.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(a.out.output);

  const bool batch = run.inputs.size() > 1;
  const std::vector<Column> columns = rows.empty() ? analyze_columns(AnalyzeOptions{}, false, batch)
                                                   : columns_of(first.file, rows.front());
  std::vector<std::vector<CellRow>> cells(run.inputs.size());
  std::vector<CellRow> every;
  for (const auto& r : rows) {
    std::size_t k = 0;
    if (batch)
      while (k + 1 < run.inputs.size() && run.inputs[k].path != r.value("model", std::string())) ++k;
    cells[k].push_back(cells_from_json(r, columns));
    every.push_back(cells[k].back());
  }
  std::vector<ModelSummary> models;
  for (std::size_t k = 0; k < run.inputs.size(); ++k) models.push_back({run.inputs[k], summarize(cells[k], columns)});
  const Summary summary = summarize(every, columns);

  Output out(a.out);
  out.writer().begin(out.stream(), run);
  for (const auto& r : every) out.writer().layer(out.stream(), r, columns);
  out.writer().analyze(out.stream(), {run, every, summary, columns, batch ? &models : nullptr});
  out.commit();
  return 0;
}

}  // namespace setol::cli
