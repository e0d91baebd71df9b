// --fail-on: thresholds that turn a report into a CI gate (exit 1). Three scopes:
//   per layer      alpha>6, D>=0.2                    (every analyzed layer of every input)
//   per model      mean(alpha)>4, max(D)>0.2, min(..), sum(..),
//                  count(warning=="under-trained")>=3, count(correlation_trap)>0
//   across inputs  delta(mean(alpha))>0.5              (the last input minus the first)
#pragma once
#include <string>
#include <vector>

#include "setol/columns.hpp"
#include "setol/summary.hpp"

namespace setol::cli {

struct FailRule {
  enum class Scope { Layer, Model, Delta };
  std::string text;    // as the user wrote it
  Scope scope = Scope::Layer;
  std::string func;    // per model and delta: mean, max, min, sum or count
  std::string column;
  bool has_equals = false;  // count(column=="value")
  std::string equals;
  std::string op;      // > >= < <= == !=
  double value = 0;
  std::string subject() const;  // "alpha", "mean(alpha)", "count(warning==\"under-trained\")", ...
};

// Parses a comma-separated list of rules for a run with these columns and this many inputs;
// throws UsageError naming the bad rule (unknown or not computed column, delta with one input).
std::vector<FailRule> parse_fail_rules(const std::string& spec, const std::vector<Column>& columns,
                                       std::size_t inputs = 1);

// The rows of one input, as the report has them.
struct GateInput {
  std::string model;
  const std::vector<CellRow>* rows = nullptr;
};

// One line per triggered rule (per layer for layer rules), naming the input, the rule and the value.
std::vector<std::string> gate_failures(const std::vector<FailRule>& rules, const std::vector<GateInput>& inputs,
                                       const std::vector<Column>& columns);

}  // namespace setol::cli
