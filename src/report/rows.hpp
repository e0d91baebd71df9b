// Rows of cells rendered the same way for every kind of row (analyzed layers, described
// tensors): JSON objects, CSV lines and padded table lines (internal to src/report).
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "setol/report.hpp"

namespace setol::report {

// A cell as CSV text: empty for null and NaN (as pandas writes them), True/False for flags.
std::string csv_cell(const Cell& c);
// A cell as table text: fixed digits for reals when `precision` >= 0, "-" for an empty numeric cell.
std::string table_cell(const Cell& c, ColumnKind kind, int precision);
// "(300, 784)", "(10,)": a shape as Python prints a tuple.
std::string shape_text(const std::vector<std::int64_t>& s);

template <class Row>
nlohmann::ordered_json row_json(const Row& r, const std::vector<ColumnOf<Row>>& cols) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& c : cols) j[c.name] = cell_json(c.get(r));
  return j;
}

template <class Row>
void write_csv_rows(std::ostream& os, const std::vector<Row>& rows, const std::vector<ColumnOf<Row>>& cols) {
  for (std::size_t i = 0; i < cols.size(); ++i) os << (i ? "," : "") << cols[i].name;
  os << '\n';
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < cols.size(); ++i) os << (i ? "," : "") << csv_cell(cols[i].get(r));
    os << '\n';
  }
}

// One header line and one line per row, over the columns that have a TableSpec.
template <class Row>
void write_table_rows(std::ostream& os, const std::vector<Row>& rows, const std::vector<ColumnOf<Row>>& cols) {
  std::vector<const ColumnOf<Row>*> shown;
  for (const auto& c : cols)
    if (c.table) shown.push_back(&c);
  std::vector<std::vector<std::string>> text(rows.size());
  std::vector<int> width;
  for (const auto* c : shown) {
    const TableSpec& t = *c->table;
    std::size_t w = t.header.size();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      text[i].push_back(c->table_text ? c->table_text(rows[i]) : table_cell(c->get(rows[i]), c->kind, t.precision));
      w = std::max(w, text[i].back().size());
    }
    width.push_back(t.width == TableSpec::kFit ? static_cast<int>(w) + 2 : t.width);
  }
  auto line = [&](auto cell) {
    for (std::size_t k = 0; k < shown.size(); ++k) {
      const TableSpec& t = *shown[k]->table;
      const std::string s = cell(k);
      const std::size_t pad = width[k] > 0 && static_cast<std::size_t>(width[k]) > s.size() ? width[k] - s.size() : 0;
      os << std::string(static_cast<std::size_t>(t.gap), ' ');
      if (t.right) os << std::string(pad, ' ') << s;
      else os << s << std::string(pad, ' ');
    }
    os << '\n';
  };
  line([&](std::size_t k) { return shown[k]->table->header; });
  for (std::size_t i = 0; i < rows.size(); ++i) line([&](std::size_t k) { return text[i][k]; });
}

}  // namespace setol::report
