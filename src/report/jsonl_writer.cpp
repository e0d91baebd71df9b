// JSON Lines: a run header line (with the inputs' sizes and times, for --resume), one line per
// layer, written and flushed as the layer finishes (a run that is interrupted keeps every
// finished layer), then one line with the summary ("summary", or "models" for several inputs).
#include "report/json_text.hpp"
#include "report/rows.hpp"

namespace setol {
namespace {

class JsonlWriter final : public ReportWriter {
 public:
  void begin(std::ostream& os, const RunInfo& run) override {
    os << report::json_text(run_header_json(run, true)) << '\n' << std::flush;
  }
  void layer(std::ostream& os, const CellRow& row, const std::vector<Column>& columns) override {
    os << report::json_text(report::row_json(row, cell_columns(columns))) << '\n' << std::flush;
  }
  void analyze(std::ostream& os, const AnalyzeReport& rep) override {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    add_summaries_json(j, rep);
    os << report::json_text(j) << '\n';
  }
  void compare(std::ostream& os, const CompareReport& rep) override {
    os << report::json_text(run_header_json(rep.run)) << '\n';
    for (const auto& r : rep.rows) os << report::json_text(report::row_json(r, rep.columns)) << '\n';
    os << report::json_text(nlohmann::ordered_json{{"summary", summary_json(rep.summary)}}) << '\n';
  }
  void describe(std::ostream& os, const DescribeReport& rep) override {
    for (const auto& t : rep.tensors) os << report::json_text(report::row_json(t, describe_columns())) << '\n';
  }
};

}  // namespace

std::unique_ptr<ReportWriter> make_jsonl_writer() { return std::make_unique<JsonlWriter>(); }

}  // namespace setol
