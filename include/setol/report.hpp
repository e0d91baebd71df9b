// Reports: the output formats (one table, one writer file per format behind ReportWriter),
// the describe rows, and atomic output files. Columns and the summary come from the
// column catalogue (setol/columns.hpp, setol/summary.hpp).
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "setol/columns.hpp"
#include "setol/describe.hpp"
#include "setol/summary.hpp"

namespace setol {

// Everything a report says about the run besides the rows.
struct RunInfo {
  std::string command;                // "analyze" or "describe"
  std::string input_path;
  std::string input_format;           // ModelReader::format()
  std::size_t tensors = 0;
  nlohmann::ordered_json options;     // every option used
  std::vector<std::pair<std::string, std::string>> metadata;  // ModelReader::metadata()
};

using DescribeColumn = ColumnOf<TensorRow>;
const std::vector<DescribeColumn>& describe_columns();

struct AnalyzeReport {
  const RunInfo& run;
  const std::vector<LayerRecord>& layers;
  const Summary& summary;
  const std::vector<Column>& columns;
};

struct DescribeReport {
  const RunInfo& run;
  const std::vector<TensorRow>& tensors;
};

// A report format. layer() is called as each layer finishes, in completion order (streaming
// formats write it at once and flush); analyze() and describe() write the rest at the end.
class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual void layer(std::ostream& os, const LayerRecord& r, const std::vector<Column>& columns);
  virtual void analyze(std::ostream& os, const AnalyzeReport& report) = 0;
  virtual void describe(std::ostream& os, const DescribeReport& report) = 0;
};

// The output formats, declared once: the CLI's choices, -o's extension detection and both
// commands use this table.
struct OutputFormat {
  std::string_view name;
  std::vector<std::string_view> extensions;  // -o FILE with one of these picks the format
  std::string_view doc;
  std::unique_ptr<ReportWriter> (*make_writer)();
};
const std::vector<OutputFormat>& output_formats();
const OutputFormat& output_format(std::string_view name);              // throws UsageError
const OutputFormat* output_format_for_file(const std::filesystem::path& file);  // by extension, or null
std::vector<std::string> output_format_names();

// JSON pieces shared by the JSON and JSONL writers.
nlohmann::ordered_json run_header_json(const RunInfo& run);
nlohmann::ordered_json summary_json(const Summary& s);
nlohmann::ordered_json cell_json(const Cell& c);

// Formats a double as the shortest text that reads back to the same value.
std::string format_double(double v);
// One CSV field: quoted (with inner quotes doubled) when it holds a comma, quote or line break.
std::string csv_quote(const std::string& s);

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
