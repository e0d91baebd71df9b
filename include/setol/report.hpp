// Reports: one column registry (names and values per record) shared by every format,
// and writers for JSON, JSONL, CSV and a terminal table.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "setol/analyze.hpp"

namespace setol {

using Cell = std::variant<std::monostate, std::int64_t, double, std::string, bool>;

struct Column {
  std::string name;
  std::function<Cell(const LayerRecord&)> get;
};

// The analyze columns in output order: WeightWatcher's default set, then the columns of
// each option that is on (slice_id only with --no-pool), status last.
std::vector<Column> analyze_columns(const AnalyzeOptions& opt, bool with_slice_id);

enum class Format { Json, Jsonl, Csv, Table };
Format parse_format(const std::string& s);  // throws UsageError

// Everything a report says about the run besides the layers.
struct RunInfo {
  std::string command;                // "analyze"
  std::string input_path;
  std::string input_format;           // ModelReader::format()
  std::size_t tensors = 0;
  nlohmann::ordered_json options;     // every option used
};

nlohmann::ordered_json record_json(const LayerRecord& r, const std::vector<Column>& cols);
nlohmann::ordered_json summary_json(const Summary& s);
nlohmann::ordered_json run_header_json(const RunInfo& run);

void write_json(std::ostream& os, const RunInfo& run, const std::vector<LayerRecord>& recs, const Summary& s,
                const std::vector<Column>& cols);
void write_csv(std::ostream& os, const std::vector<LayerRecord>& recs, const std::vector<Column>& cols);
void write_table(std::ostream& os, const std::vector<LayerRecord>& recs, const Summary& s);

// Formats a double as the shortest text that reads back to the same value.
std::string format_double(double v);

// An output file written atomically: a temporary file in the same folder, renamed over
// the target by commit(); removed if the object is destroyed without commit().
class AtomicFile {
 public:
  explicit AtomicFile(const std::filesystem::path& target);  // throws InputError
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  std::ostream& stream();
  void commit();  // throws InputError

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes a 1-D float64 array as .npy (format 1.0, '<f8'), atomically.
void write_npy_f64(const std::filesystem::path& path, const std::vector<double>& values);

}  // namespace setol
