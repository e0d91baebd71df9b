// JSON Lines: one line per layer, written and flushed as the layer finishes (a run that is
// interrupted keeps every finished layer), then one line with the run header and summary.
#include "report/rows.hpp"

namespace setol {
namespace {

class JsonlWriter final : public ReportWriter {
 public:
  void layer(std::ostream& os, const LayerRecord& r, const std::vector<Column>& columns) override {
    os << report::row_json(r, columns).dump() << '\n' << std::flush;
  }
  void analyze(std::ostream& os, const AnalyzeReport& rep) override {
    nlohmann::ordered_json j = run_header_json(rep.run);
    j["summary"] = summary_json(rep.summary);
    os << j.dump() << '\n';
  }
  void describe(std::ostream& os, const DescribeReport& rep) override {
    for (const auto& t : rep.tensors) os << report::row_json(t, describe_columns()).dump() << '\n';
  }
};

}  // namespace

std::unique_ptr<ReportWriter> make_jsonl_writer() { return std::make_unique<JsonlWriter>(); }

}  // namespace setol
