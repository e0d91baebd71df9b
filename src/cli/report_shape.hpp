// The shape a report read back must have before any of its fields is used (internal).
// `setol merge`, `analyze --resume` and `setol plot` read reports that setol wrote, but a
// report on disk is input like any model file: it may be cut, edited or not ours at all. Each
// check below throws InputError naming the file and the line (for JSONL) when a field the
// readers use is missing or of another type, so that no later access can fail with a raw
// JSON library message or read a key that is not there.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace setol::cli {

// The run header (a JSONL report's first line, or a JSON report's top level): "command" is the
// string "analyze"; "inputs" is an array of objects whose "path", "error", "role" are strings,
// "format" a string or null and "tensors", "bytes", "mtime_ns" integers where present; "options" is an
// object; "shard", where present, an object of integers. `where`: e.g. "line 1".
void check_header_shape(const std::string& file, const std::string& what, const std::string& where,
                        const nlohmann::ordered_json& header);

// A layer row: an object whose "layer_id" is an integer from 0 to 2^31-1 and "slice_id", where
// present, one too or null; "name", "model" and "status" strings where present; every array a
// list of integers.
void check_row_shape(const std::string& file, const std::string& what, const std::string& where,
                     const nlohmann::ordered_json& row);

// The summary line of a JSONL report: "models", where present, an array of objects whose
// "status" is a string where present.
void check_summary_shape(const std::string& file, const std::string& what, const std::string& where,
                         const nlohmann::ordered_json& summary);

}  // namespace setol::cli
