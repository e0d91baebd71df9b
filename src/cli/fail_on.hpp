// --fail-on 'alpha>6,D>=0.2': thresholds that turn a report into a CI gate (exit 1).
#pragma once
#include <string>
#include <vector>

#include "setol/columns.hpp"
#include "setol/layer_record.hpp"

namespace setol::cli {

struct FailRule {
  std::string text;    // as the user wrote it
  std::string column;  // a numeric analyze column
  std::string op;      // > >= < <= == !=
  double value = 0;
};

// Parses a comma-separated list of rules; throws UsageError naming the bad rule.
std::vector<FailRule> parse_fail_rules(const std::string& spec, const std::vector<Column>& columns);

// The "name (column value)" of every analyzed layer that breaks a rule, per rule.
std::vector<std::string> failing_layers(const std::vector<FailRule>& rules, const std::vector<LayerRecord>& recs,
                                        const std::vector<Column>& columns);

}  // namespace setol::cli
