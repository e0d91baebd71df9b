// --resume: reading back a JSONL report that an interrupted run left behind (internal).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "setol/summary.hpp"

namespace setol::cli {

struct PartialReport {
  nlohmann::ordered_json header;              // the first line
  std::vector<nlohmann::ordered_json> rows;   // every finished layer
  bool complete = false;                      // the summary line is there
  std::uintmax_t valid_bytes = 0;             // up to the end of the last complete line
};

// Reads FILE; a last line cut short by the interruption is ignored. Throws InputError when
// FILE is not a setol analyze JSONL report.
PartialReport read_partial_report(const std::string& file);

// Throws InputError unless `partial` was written by a run with the same inputs (paths, sizes,
// modification times), the same tool version and the same options (those that change rows).
void check_same_run(const std::string& file, const PartialReport& partial, const nlohmann::ordered_json& header);

// Identifies a row across runs: model, layer_id and slice_id.
std::string row_key(const std::string& model, std::int64_t layer_id, std::optional<int> slice_id);
std::string row_key(const nlohmann::ordered_json& row);

// A row read back as cells, in the order of `columns`.
CellRow cells_from_json(const nlohmann::ordered_json& row, const std::vector<Column>& columns);

}  // namespace setol::cli
