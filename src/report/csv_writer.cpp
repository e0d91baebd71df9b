// CSV for notebooks: a header line of column names, one line per row (pandas.read_csv); with
// --summary, the models table (one line per input).
#include "report/rows.hpp"

namespace setol {
namespace {

class CsvWriter final : public ReportWriter {
 public:
  void analyze(std::ostream& os, const AnalyzeReport& rep) override {
    if (rep.models_only) {
      const auto models = rep.models ? *rep.models : std::vector<ModelSummary>{{rep.run.inputs.at(0), rep.summary}};
      report::write_csv_rows(os, models, model_columns(models));
    } else {
      report::write_csv_rows(os, rep.layers, cell_columns(rep.columns));
    }
  }
  void compare(std::ostream& os, const CompareReport& rep) override {
    report::write_csv_rows(os, rep.rows, rep.columns);
  }
  void describe(std::ostream& os, const DescribeReport& rep) override {
    report::write_csv_rows(os, rep.tensors, describe_columns());
  }
};

}  // namespace

std::unique_ptr<ReportWriter> make_csv_writer() { return std::make_unique<CsvWriter>(); }

}  // namespace setol
