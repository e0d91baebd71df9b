// The summary, derived from the columns' SummarySpec: means as WeightWatcher's get_summary
// (a plain mean over the rows with a value, NaN skipped as pandas does; failed fits enter
// with alpha = -1, as there) and counts per value.
#include "setol/summary.hpp"

#include <algorithm>
#include <cmath>

namespace setol {

std::map<std::string, std::int64_t> Summary::counts_of(const std::string& column) const {
  for (const auto& [name, c] : counts)
    if (name == column) return c;
  return {};
}

CellRow cells_of(const LayerRecord& r, const std::vector<Column>& columns) {
  CellRow row;
  row.reserve(columns.size());
  for (const auto& c : columns) row.push_back(c.get(r));
  return row;
}

Summary summarize(const std::vector<LayerRecord>& records, const std::vector<Column>& columns) {
  std::vector<CellRow> rows;
  rows.reserve(records.size());
  for (const auto& r : records) rows.push_back(cells_of(r, columns));
  return summarize(rows, columns);
}

Summary summarize_cells(const std::vector<CellRow>& rows, const std::vector<SummaryColumn>& columns) {
  using How = SummarySpec::How;
  std::vector<std::size_t> used;
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].spec.how != How::None) used.push_back(i);
  std::stable_sort(used.begin(), used.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(columns[a].spec.how, columns[a].spec.rank) < std::pair(columns[b].spec.how, columns[b].spec.rank);
  });

  Summary s;
  s.layers = static_cast<std::int64_t>(rows.size());
  for (const std::size_t i : used) {
    const SummaryColumn* c = &columns[i];
    if (c->spec.how == How::Mean) {
      s.mean_columns.push_back(c->name);
      double sum = 0;
      std::int64_t n = 0;
      for (const auto& r : rows) {
        const double v = cell_number(r[i]);
        if (std::isnan(v)) continue;
        sum += v;
        ++n;
      }
      if (n > 0) s.means[c->name] = sum / static_cast<double>(n);
    } else {
      std::map<std::string, std::int64_t> counts;
      for (const auto& r : rows) {
        const auto* text = std::get_if<std::string>(&r[i]);
        if (!text) continue;
        const std::string key = text->substr(0, text->find(':'));
        counts[key.empty() ? "none" : key] += 1;
      }
      s.counts.emplace_back(c->name, std::move(counts));
    }
  }
  return s;
}

}  // namespace setol
