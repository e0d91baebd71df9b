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
#include "setol/compare.hpp"
#include "setol/describe.hpp"
#include "setol/summary.hpp"

namespace setol {

// One input of a run: a checkpoint file or folder.
struct InputInfo {
  std::string path;                   // as given
  std::string format;                 // ModelReader::format(); empty if it could not be opened
  std::size_t tensors = 0;
  std::vector<std::pair<std::string, std::string>> metadata;  // ModelReader::metadata()
  std::string error;                  // why it could not be analyzed (runs with several inputs)
  std::string role;                   // compare: "base" or "other"
  // Size and modification time (ns) of the file, or of a folder's files (total, latest): what
  // --resume checks before it trusts a partial JSONL report. -1 when unknown.
  std::int64_t bytes = -1, mtime_ns = -1;
};
// The bytes and mtime of a file or folder (see InputInfo).
void fingerprint(InputInfo& in);

// A part of a run split with --shard K/N: which part, its rows and the whole run's rows
// (what setol merge checks before it joins the parts).
struct ShardInfo {
  int index = 0, count = 0;  // K and N; count 0: not a shard
  std::size_t rows = 0, total_rows = 0;
};

// Everything a report says about the run besides the rows.
struct RunInfo {
  std::string command;                // "analyze", "describe" or "compare"
  std::vector<InputInfo> inputs;
  nlohmann::ordered_json options;     // every option used
  ShardInfo shard;                    // --shard parts only
};

// One input's line of a run with several inputs: its summary and the counts of its rows.
struct ModelSummary {
  InputInfo input;
  Summary summary;
};
// The models table (one row per input; `setol analyze A B --summary`): model, format, status,
// num_layers, each count as <column>_<value> and each summary mean under its own name.
std::vector<ColumnOf<ModelSummary>> model_columns(const std::vector<ModelSummary>& models);
nlohmann::ordered_json model_summary_json(const ModelSummary& m);

using DescribeColumn = ColumnOf<TensorRow>;
const std::vector<DescribeColumn>& describe_columns();

struct AnalyzeReport {
  const RunInfo& run;
  const std::vector<CellRow>& layers;   // cells in the order of `columns`, in plan order
  const Summary& summary;               // over every layer (the report's summary for one input)
  const std::vector<Column>& columns;
  const std::vector<ModelSummary>* models = nullptr;  // one per input when there are several
  bool models_only = false;             // --summary: the models table instead of the layer rows
};

// The columns of `setol compare`, for these analysis options.
using CompareColumn = ColumnOf<CompareRow>;
std::vector<CompareColumn> compare_columns(const AnalyzeOptions& opt, bool sliced);

struct CompareReport {
  const RunInfo& run;
  const std::vector<CompareRow>& rows;
  const std::vector<CompareColumn>& columns;
  const Summary& summary;
};

nlohmann::ordered_json compare_report_json(const CompareReport& rep);

struct DescribeReport {
  const RunInfo& run;
  const std::vector<TensorRow>& tensors;
};

// A report format. begin() is called once before any layer of an analysis, layer() as each
// layer finishes, in completion order (streaming formats write it at once and flush);
// analyze() and describe() write the rest at the end.
class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual void begin(std::ostream& os, const RunInfo& run);
  virtual void layer(std::ostream& os, const CellRow& row, const std::vector<Column>& columns);
  virtual void analyze(std::ostream& os, const AnalyzeReport& report) = 0;
  virtual void describe(std::ostream& os, const DescribeReport& report) = 0;
  virtual void compare(std::ostream& os, const CompareReport& report) = 0;
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

// JSON pieces shared by the JSON and JSONL writers. The header has each input's bytes and
// mtime_ns only when `fingerprints` (JSONL, for --resume).
nlohmann::ordered_json run_header_json(const RunInfo& run, bool fingerprints = false);
// The whole JSON analyze / compare report (what --format json writes).
nlohmann::ordered_json analyze_report_json(const AnalyzeReport& rep);
// One row as JSON, as every JSON report writes it.
nlohmann::ordered_json layer_row_json(const LayerRecord& r, const std::vector<Column>& columns);
// The summary part of an analyze report: "summary" for one input, "models" for several.
void add_summaries_json(nlohmann::ordered_json& j, const AnalyzeReport& rep);
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

// Removes the temporary file of every AtomicFile not yet committed. Async-signal-safe: the
// SIGINT/SIGTERM handler calls it.
void remove_pending_outputs();

// Writes a 1-D float64 array as .npy (format 1.0, '<f8'), atomically.
void write_npy_f64(const std::filesystem::path& path, const std::vector<double>& values);

}  // namespace setol
