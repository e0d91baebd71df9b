// --shard K/N: a deterministic, cost-balanced share of a run's layers (array jobs).
#include <algorithm>
#include <numeric>

#include "pipeline/scheduler.hpp"
#include "setol/analyze.hpp"

namespace setol {

std::size_t keep_shard(std::vector<ModelWork>& work, const AnalyzeOptions& opt, int k, int n) {
  struct Unit {
    std::size_t model;
    std::vector<std::size_t> records;
    double cost;
  };
  std::vector<Unit> units;
  for (std::size_t m = 0; m < work.size(); ++m)
    for (auto& j : pipeline::make_jobs(*work[m].model, *work[m].records, opt, m))
      units.push_back({m, std::move(j.records), j.cost});
  // Longest processing time first: each unit, most expensive first (plan order among equals),
  // to the shard with the least work so far (the lowest-numbered among equals).
  std::vector<std::size_t> order(units.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return units[a].cost > units[b].cost; });
  std::vector<double> load(static_cast<std::size_t>(n), 0.0);
  std::vector<std::vector<bool>> keep(work.size());
  for (std::size_t m = 0; m < work.size(); ++m) {
    keep[m].assign(work[m].records->size(), false);
    for (std::size_t i = 0; i < work[m].records->size(); ++i)
      keep[m][i] = k == 1 && (*work[m].records)[i].status != LayerStatus::Pending;
  }
  for (const std::size_t u : order) {
    const auto least = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[least] += units[u].cost;
    if (static_cast<int>(least) + 1 == k)
      for (const std::size_t i : units[u].records) keep[units[u].model][i] = true;
  }
  for (std::size_t m = 0; m < work.size(); ++m) {
    std::vector<LayerRecord> kept;
    for (std::size_t i = 0; i < work[m].records->size(); ++i)
      if (keep[m][i]) kept.push_back(std::move((*work[m].records)[i]));
    *work[m].records = std::move(kept);
  }
  return units.size();
}

}  // namespace setol
