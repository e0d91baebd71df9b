// The columns of `setol compare` (docs/metrics.md, "compare columns"): the layer, its status,
// the change of every deterministic metric (OTHER minus BASE), WeightWatcher's distances() and
// the metrics of the difference W_other - W_base (dW_*).
#include "setol/analyze.hpp"
#include "setol/report.hpp"

namespace setol {
namespace {

using K = ColumnKind;
using Row = CompareRow;
using How = SummarySpec::How;

const LayerRecord* either(const Row& r) { return r.base ? r.base : r.other; }

Cell metric_of(const LayerRecord* rec, const Column& c) {
  return rec && rec->has_metrics() ? c.get(*rec) : Cell{};
}

bool is_metric(const Column& c) {
  if (c.kind != K::Real && c.kind != K::Integer) return false;
  for (const char* geometry : {"N", "M", "Q", "rf", "num_evals"})
    if (c.name == geometry) return false;
  return true;
}

}  // namespace

std::vector<CompareColumn> compare_columns(const AnalyzeOptions& opt, bool sliced) {
  const std::vector<Column> analysis = analyze_columns(opt, sliced);
  std::vector<CompareColumn> cols;
  cols.push_back({.name = "name", .kind = K::Text, .get = [](const Row& r) { return Cell{r.name}; },
                  .doc = "The layer's name (BASE's; OTHER's for a layer only there)",
                  .table = TableSpec{"name", TableSpec::kFit}});
  if (sliced)
    cols.push_back({.name = "slice_id", .kind = K::Id,
                    .get = [](const Row& r) { return either(r)->slice_id ? Cell{std::int64_t{*either(r)->slice_id}} : Cell{}; },
                    .doc = "Kernel position of a convolution slice (--no-pool)"});
  cols.push_back({.name = "base_layer_id", .kind = K::Id,
                  .get = [](const Row& r) { return r.base ? Cell{std::int64_t{r.base->layer_id}} : Cell{}; },
                  .doc = "layer_id in BASE (empty: only in OTHER)"});
  cols.push_back({.name = "other_layer_id", .kind = K::Id,
                  .get = [](const Row& r) { return r.other ? Cell{std::int64_t{r.other->layer_id}} : Cell{}; },
                  .doc = "layer_id in OTHER (empty: only in BASE)"});
  for (const char* name : {"layer_type", "N", "M"}) {
    const Column* c = find_column(analysis, name);
    cols.push_back({.name = c->name, .kind = c->kind, .get = [c = *c](const Row& r) { return c.get(*either(r)); },
                    .doc = c->doc});
  }
  cols.push_back({.name = "status", .kind = K::Text, .get = [](const Row& r) { return Cell{r.status}; },
                  .doc = "success, unmatched: only in base|other, skipped: <reason>, error: <reason>",
                  .summary = {How::Count, 0, true}, .table = TableSpec{"status", TableSpec::kFit, false, -1, 2}});
  const Column* alpha = find_column(analysis, "alpha");
  cols.push_back({.name = "base_alpha", .kind = K::Real, .get = [a = *alpha](const Row& r) { return metric_of(r.base, a); },
                  .doc = "alpha of BASE's layer", .table = TableSpec{"alpha base", 11, true, 3}});
  cols.push_back({.name = "other_alpha", .kind = K::Real, .get = [a = *alpha](const Row& r) { return metric_of(r.other, a); },
                  .doc = "alpha of OTHER's layer", .table = TableSpec{"other", 8, true, 3}});
  int rank = 0;
  for (const auto& c : analysis) {
    if (!is_metric(c)) continue;
    CompareColumn d{.name = "delta_" + c.name, .kind = K::Real,
                    .get = [c](const Row& r) -> Cell {
                      const double b = cell_number(metric_of(r.base, c)), o = cell_number(metric_of(r.other, c));
                      return std::isnan(b) || std::isnan(o) ? Cell{} : Cell{o - b};
                    },
                    .doc = c.name + " of OTHER minus " + c.name + " of BASE"};
    if (c.summary.how == How::Mean) d.summary = {How::Mean, c.summary.rank, c.name == "alpha"};
    if (c.name == "alpha") d.table = TableSpec{"d_alpha", 9, true, 3};
    if (c.name == "alpha_weighted") d.table = TableSpec{"d_alpha_w", 10, true, 3};
    cols.push_back(std::move(d));
    rank = std::max(rank, c.summary.rank);
  }
  auto distance = [&](const char* name, double Distances::*f, const char* doc, const char* header, int digits) {
    cols.push_back({.name = name, .kind = K::Real,
                    .get = [f](const Row& r) { return r.distances ? Cell{(*r.distances).*f} : Cell{}; }, .doc = doc,
                    .summary = {How::Mean, ++rank, true}, .table = TableSpec{header, 11, true, digits}});
  };
  distance("delta_W", &Distances::delta_W, "||W_other - W_base||_F over the whole tensor (WeightWatcher distances, raw)",
           "delta_W", 4);
  distance("euclidean", &Distances::euclidean,
           "Mean over the layer's matrices of ||W_other,k - W_base,k||_F (WeightWatcher distances, euclidean)", "", -1);
  cols.back().table.reset();
  distance("cka", &Distances::cka,
           "Mean over the layer's matrices of the uncentred CKA similarity (WeightWatcher distances, cka); 1 = identical",
           "cka", 5);
  cols.push_back({.name = "dW_status", .kind = K::Text,
                  .get = [](const Row& r) { return r.delta ? Cell{r.delta->status_text()} : Cell{}; },
                  .doc = "status of the analysis of W_other - W_base", .summary = {How::Count, 1, false}});
  for (const auto& c : analysis) {
    if (!is_metric(c)) continue;
    CompareColumn d{.name = "dW_" + c.name, .kind = K::Real,
                    .get = [c](const Row& r) { return metric_of(r.delta, c); },
                    .doc = c.name + " of the difference W_other - W_base (WeightWatcher's base_model= analysis)"};
    if (c.name == "alpha") d.table = TableSpec{"dW_alpha", 9, true, 3};
    cols.push_back(std::move(d));
  }
  return cols;
}

}  // namespace setol
