// The terminal table: the columns whose catalogue entry has a TableSpec, then the summary
// entries marked for the table.
#include <iomanip>

#include "report/rows.hpp"

namespace setol {
namespace {

class TableWriter final : public ReportWriter {
 public:
  void analyze(std::ostream& os, const AnalyzeReport& rep) override {
    report::write_table_rows(os, rep.layers, rep.columns);
    const Summary& s = rep.summary;
    os << "\nsummary over " << s.layers << " layers:";
    for (const auto& [column, counts] : s.counts) {
      const Column* c = find_column(rep.columns, column);
      if (!c || !c->summary.in_table) continue;
      for (const auto& [k, v] : counts) os << ' ' << k << '=' << v;
    }
    os << '\n';
    for (const auto& c : rep.columns) {
      auto it = s.means.find(c.name);
      if (!c.summary.in_table || it == s.means.end()) continue;
      os << "  mean " << std::left << std::setw(18) << c.name << report::table_cell(Cell{it->second}, c.kind, 4)
         << '\n';
    }
  }
  void describe(std::ostream& os, const DescribeReport& rep) override {
    os << rep.run.input_format << ": " << rep.run.input_path << " (" << rep.run.tensors << " tensors)\n";
    for (const auto& [k, v] : rep.run.metadata) os << "  " << k << ": " << v << '\n';
    report::write_table_rows(os, rep.tensors, describe_columns());
  }
};

}  // namespace

std::unique_ptr<ReportWriter> make_table_writer() { return std::make_unique<TableWriter>(); }

}  // namespace setol
