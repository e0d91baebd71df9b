// --resume: reading back a JSONL report that an interrupted run left behind (internal).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "setol/report.hpp"
#include "setol/summary.hpp"

namespace setol::cli {

struct PartialReport {
  nlohmann::ordered_json header;              // the first line
  std::vector<nlohmann::ordered_json> rows;   // every finished layer
  bool complete = false;                      // the summary line is there
  nlohmann::ordered_json last;                // the summary line, when complete
  std::uintmax_t valid_bytes = 0;             // up to the end of the last complete line
};

// Reads FILE; a last line cut short by the interruption is ignored. Throws InputError, its
// message starting with `what` (the option or command reading it), when FILE is not a setol
// analyze JSONL report.
PartialReport read_partial_report(const std::string& file, const std::string& what = "--resume");

// Throws InputError unless `partial` was written by a run with the same inputs (paths, sizes,
// modification times), the same tool version and the same options (those that change rows).
void check_same_run(const std::string& file, const PartialReport& partial, const nlohmann::ordered_json& header);

// Identifies a row across runs: model, layer_id and slice_id.
std::string row_key(const std::string& model, std::int64_t layer_id, std::optional<int> slice_id);
std::string row_key(const nlohmann::ordered_json& row);

// Rows in the order of a JSON report: by input (the order of `inputs`, the header's array),
// then layer_id, then slice_id. JSONL rows are in the order layers finished.
void sort_rows_in_plan_order(std::vector<nlohmann::ordered_json>& rows, const nlohmann::ordered_json& inputs);

// An input of a report header read back.
InputInfo input_info_from_json(const nlohmann::ordered_json& j);

// A row read back as cells, in the order of `columns`.
CellRow cells_from_json(const nlohmann::ordered_json& row, const std::vector<Column>& columns);

}  // namespace setol::cli
