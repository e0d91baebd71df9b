// The columns of `setol describe` (docs/metrics.md, "describe columns").
#include "setol/report.hpp"

namespace setol {
namespace {

using K = ColumnKind;
using Row = TensorRow;

Cell layer_type_cell(const Row& r) {
  return r.geometry.type == LayerType::NotALayer ? Cell{} : Cell{std::string(layer_type_name(r.geometry.type))};
}

}  // namespace

const std::vector<DescribeColumn>& describe_columns() {
  static const std::vector<DescribeColumn> cols = {
      {.name = "layer_id", .kind = K::Id, .get = [](const Row& r) { return Cell{std::int64_t{r.layer_id}}; },
       .doc = "Index of the tensor in the model's tensor list", .table = TableSpec{"id", 5}},
      {.name = "name", .kind = K::Text, .get = [](const Row& r) { return Cell{r.name}; },
       .doc = "The tensor's name in the file", .table = TableSpec{"name", 44}},
      {.name = "shape", .kind = K::Shape, .get = [](const Row& r) { return Cell{r.shape}; },
       .doc = "Shape as stored", .table = TableSpec{"shape", 22}},
      {.name = "dtype", .kind = K::Text, .get = [](const Row& r) { return Cell{r.dtype}; },
       .doc = "Element type as the file spells it", .table = TableSpec{"dtype", 8}},
      {.name = "layer_type", .kind = K::Text, .get = layer_type_cell, .doc = "Layer type; empty for non-layers",
       .table = TableSpec{"type", 10}},
      {.name = "N", .kind = K::Integer, .get = [](const Row& r) { return Cell{r.geometry.N}; },
       .doc = "Larger dimension of one matrix"},
      {.name = "M", .kind = K::Integer, .get = [](const Row& r) { return Cell{r.geometry.M}; },
       .doc = "Smaller dimension of one matrix"},
      {.name = "rf", .kind = K::Integer, .get = [](const Row& r) { return Cell{r.geometry.rf}; },
       .doc = "Receptive field kh*kw"},
      {.name = "num_evals", .kind = K::Integer, .get = [](const Row& r) { return Cell{r.num_evals}; },
       .doc = "Eigenvalues analyze would compute", .table = TableSpec{"evals", 8, true}},
      {.name = "analysis", .kind = K::Text, .get = [](const Row& r) { return Cell{r.analysis}; },
       .doc = "analyze, skipped: <reason>, not selected, or not a layer (<role>)",
       .table = TableSpec{"analysis", 0, false, -1, 2}},
  };
  return cols;
}

}  // namespace setol
