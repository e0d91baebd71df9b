// CSV for notebooks: a header line of column names, one line per row (pandas.read_csv).
#include "report/rows.hpp"

namespace setol {
namespace {

class CsvWriter final : public ReportWriter {
 public:
  void analyze(std::ostream& os, const AnalyzeReport& rep) override {
    report::write_csv_rows(os, rep.layers, rep.columns);
  }
  void describe(std::ostream& os, const DescribeReport& rep) override {
    report::write_csv_rows(os, rep.tensors, describe_columns());
  }
};

}  // namespace

std::unique_ptr<ReportWriter> make_csv_writer() { return std::make_unique<CsvWriter>(); }

}  // namespace setol
