// The terminal table: the columns whose catalogue entry has a TableSpec, then the summary
// entries marked for the table (several inputs: the models table).
#include <iomanip>

#include "report/rows.hpp"

namespace setol {
namespace {

template <class Row>
void summary(std::ostream& os, const Summary& s, const std::vector<ColumnOf<Row>>& columns, const std::string& what) {
  os << "\nsummary over " << s.layers << ' ' << what << ':';
  for (const auto& [column, counts] : s.counts) {
    const auto* c = find_column(columns, column);
    if (!c || !c->summary.in_table) continue;
    for (const auto& [k, v] : counts) os << ' ' << k << '=' << v;
  }
  os << '\n';
  for (const auto& c : columns) {
    auto it = s.means.find(c.name);
    if (!c.summary.in_table || it == s.means.end()) continue;
    os << "  mean " << std::left << std::setw(18) << c.name << report::table_cell(Cell{it->second}, c.kind, 4) << '\n';
  }
}

class TableWriter final : public ReportWriter {
 public:
  void analyze(std::ostream& os, const AnalyzeReport& rep) override {
    if (!rep.models_only) report::write_table_rows(os, rep.layers, cell_columns(rep.columns));
    if (!rep.models) {
      summary(os, rep.summary, rep.columns, "layers");
      return;
    }
    if (!rep.models_only) os << '\n';
    report::write_table_rows(os, *rep.models, model_columns(*rep.models));
  }
  void compare(std::ostream& os, const CompareReport& rep) override {
    for (const auto& in : rep.run.inputs) os << in.role << ": " << in.path << " (" << in.format << ")\n";
    report::write_table_rows(os, rep.rows, rep.columns);
    summary(os, rep.summary, rep.columns, "layers");
  }
  void describe(std::ostream& os, const DescribeReport& rep) override {
    const InputInfo& in = rep.run.inputs.at(0);
    os << in.format << ": " << in.path << " (" << in.tensors << " tensors)\n";
    for (const auto& [k, v] : in.metadata) os << "  " << k << ": " << v << '\n';
    report::write_table_rows(os, rep.tensors, describe_columns());
  }
};

}  // namespace

std::unique_ptr<ReportWriter> make_table_writer() { return std::make_unique<TableWriter>(); }

}  // namespace setol
