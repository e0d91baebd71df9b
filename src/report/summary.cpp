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

Summary summarize(const std::vector<LayerRecord>& records, const std::vector<Column>& columns) {
  using How = SummarySpec::How;
  std::vector<const Column*> used;
  for (const auto& c : columns)
    if (c.summary.how != How::None) used.push_back(&c);
  std::stable_sort(used.begin(), used.end(), [](const Column* a, const Column* b) {
    return std::pair(a->summary.how, a->summary.rank) < std::pair(b->summary.how, b->summary.rank);
  });

  Summary s;
  s.layers = static_cast<std::int64_t>(records.size());
  for (const Column* c : used) {
    if (c->summary.how == How::Mean) {
      s.mean_columns.push_back(c->name);
      double sum = 0;
      std::int64_t n = 0;
      for (const auto& r : records) {
        const double v = cell_number(c->get(r));
        if (std::isnan(v)) continue;
        sum += v;
        ++n;
      }
      if (n > 0) s.means[c->name] = sum / static_cast<double>(n);
    } else {
      std::map<std::string, std::int64_t> counts;
      for (const auto& r : records) {
        const Cell cell = c->get(r);
        const auto* text = std::get_if<std::string>(&cell);
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
