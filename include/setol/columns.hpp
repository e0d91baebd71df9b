// The column catalogue: every column a report can carry is declared once, with what kind of
// value it holds, whether and how it enters the summary, how the terminal table shows it and
// a one-line definition (docs/metrics.md has the full one; a test checks that every column is
// there). Reports, the summary, --fail-on and the conformance checker all derive from it.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "setol/layer_record.hpp"

namespace setol {

struct AnalyzeOptions;

// One value of a report: empty (null), integer, real, text, flag, or a tensor shape.
using Cell = std::variant<std::monostate, std::int64_t, double, std::string, bool, std::vector<std::int64_t>>;

enum class ColumnKind {
  Id,          // identifies a row (layer_id, slice_id); numeric but not a metric
  Integer,     // a deterministic count: compared exactly with WeightWatcher
  Real,        // a deterministic real metric: compared to a relative tolerance
  Randomized,  // drawn from random permutations: compared statistically
  Text,
  Flag,
  Shape,
};
// Id, Integer, Real and Randomized columns can be compared with numbers (--fail-on).
bool is_numeric(ColumnKind k);

// How a column enters the summary: a mean over the layers with a value (NaN skipped, as
// pandas' mean; WeightWatcher's get_summary), or a count of each value ("skipped: x" counts
// as "skipped", an empty value as "none"). `rank` orders the summary's keys.
struct SummarySpec {
  enum class How { None, Mean, Count } how = How::None;
  int rank = 0;
  bool in_table = false;  // also printed under the terminal table
};

// How the terminal table shows a column. width > 0: padded to that width; kFit: as wide as
// the widest cell (and the header) plus two; 0: not padded (the last column).
struct TableSpec {
  static constexpr int kFit = -1;
  std::string header;
  int width = 0;
  bool right = false;
  int precision = -1;  // reals: fixed digits after the point; -1: shortest round-trip text
  int gap = 0;         // spaces before the column
};

template <class Row>
struct ColumnOf {
  std::string name;
  ColumnKind kind = ColumnKind::Real;
  std::function<Cell(const Row&)> get;
  std::string doc;                                   // one line; docs/metrics.md defines it fully
  SummarySpec summary;
  std::optional<TableSpec> table;                    // shown in the terminal table
  std::function<std::string(const Row&)> table_text; // the table's text, when not the cell's
};

using Column = ColumnOf<LayerRecord>;

// What turns a catalogue column on.
enum class ColumnNeeds { Always, Batch, Unpooled, Tpl, ClipXmax, MpFit, Randomize, Detx, DetxOrSetol, Setol, Htmp };

struct CatalogueEntry {
  Column column;
  ColumnNeeds needs = ColumnNeeds::Always;
};

// Every analyze column, in output order: WeightWatcher's default set, then the columns of
// each option, status last.
const std::vector<CatalogueEntry>& column_catalogue();

// The columns of a run with these options (slice_id only when rows are slices, model only
// when the run has several inputs).
std::vector<Column> analyze_columns(const AnalyzeOptions& opt, bool with_slice_id, bool batch = false);

template <class Row>
const ColumnOf<Row>* find_column(const std::vector<ColumnOf<Row>>& cols, std::string_view name) {
  for (const auto& c : cols)
    if (c.name == name) return &c;
  return nullptr;
}

// A numeric cell as a double (NaN when empty or not numeric).
double cell_number(const Cell& c);

}  // namespace setol
