// The output formats. Adding one: a row here and its writer file (make_<name>_writer).
#include <algorithm>
#include <cctype>

#include "setol/error.hpp"
#include "setol/report.hpp"

namespace setol {

// The writers, one file each (src/report/<name>_writer.cpp).
std::unique_ptr<ReportWriter> make_json_writer();
std::unique_ptr<ReportWriter> make_jsonl_writer();
std::unique_ptr<ReportWriter> make_csv_writer();
std::unique_ptr<ReportWriter> make_table_writer();

const std::vector<OutputFormat>& output_formats() {
  static const std::vector<OutputFormat> formats = {
      {"json", {".json"}, "one JSON document: run header, layers, summary", make_json_writer},
      {"jsonl", {".jsonl"}, "one JSON line per layer as it finishes, then a header+summary line", make_jsonl_writer},
      {"csv", {".csv"}, "one line per layer, for pandas.read_csv", make_csv_writer},
      {"table", {".txt"}, "aligned columns for a terminal, then the summary", make_table_writer},
  };
  return formats;
}

std::vector<std::string> output_format_names() {
  std::vector<std::string> names;
  for (const auto& f : output_formats()) names.emplace_back(f.name);
  return names;
}

const OutputFormat& output_format(std::string_view name) {
  for (const auto& f : output_formats())
    if (f.name == name) return f;
  std::string choices;
  for (const auto& n : output_format_names()) choices += (choices.empty() ? "" : ", ") + n;
  throw UsageError("unknown format '" + std::string(name) + "' (choose " + choices + ")");
}

const OutputFormat* output_format_for_file(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const auto& f : output_formats())
    if (std::find(f.extensions.begin(), f.extensions.end(), ext) != f.extensions.end()) return &f;
  return nullptr;
}

}  // namespace setol
