// The model-level summary: WeightWatcher's get_summary() means plus counts, derived from
// the columns whose catalogue entry asks for it.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "setol/columns.hpp"

namespace setol {

struct Summary {
  std::int64_t layers = 0;
  // Columns averaged, in the summary's order; `means` has an entry only where some layer
  // had a (non-NaN) value.
  std::vector<std::string> mean_columns;
  std::map<std::string, double> means;
  // Columns counted, in order, each with the number of rows per value.
  std::vector<std::pair<std::string, std::map<std::string, std::int64_t>>> counts;

  // The counts of one column (empty if it is not counted).
  std::map<std::string, std::int64_t> counts_of(const std::string& column) const;
};

// One report row as cells, one per column (what the writers print; a resumed run reads its
// finished rows back in this form).
using CellRow = std::vector<Cell>;
CellRow cells_of(const LayerRecord& r, const std::vector<Column>& columns);
// The same columns reading rows of cells (in the order of `columns`): what the writers print.
std::vector<ColumnOf<CellRow>> cell_columns(const std::vector<Column>& columns);

// The summary over these rows (cells in the order of `columns`), from the columns'
// SummarySpec: any kind of row (analyzed layers, compared layers).
struct SummaryColumn {
  std::string name;
  SummarySpec spec;
};
Summary summarize_cells(const std::vector<CellRow>& rows, const std::vector<SummaryColumn>& columns);

template <class Row>
Summary summarize(const std::vector<CellRow>& rows, const std::vector<ColumnOf<Row>>& columns) {
  std::vector<SummaryColumn> specs;
  specs.reserve(columns.size());
  for (const auto& c : columns) specs.push_back({c.name, c.summary});
  return summarize_cells(rows, specs);
}
Summary summarize(const std::vector<LayerRecord>& records, const std::vector<Column>& columns);

}  // namespace setol
