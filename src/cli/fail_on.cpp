#include "cli/fail_on.hpp"

#include <charconv>
#include <cmath>

#include "setol/error.hpp"
#include "setol/report.hpp"

namespace setol::cli {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

bool holds(double x, const std::string& op, double v) {
  if (op == ">") return x > v;
  if (op == ">=") return x >= v;
  if (op == "<") return x < v;
  if (op == "<=") return x <= v;
  if (op == "==") return x == v;
  return x != v;
}

}  // namespace

std::vector<FailRule> parse_fail_rules(const std::string& spec, const std::vector<Column>& columns) {
  std::vector<FailRule> rules;
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = spec.find(',', start);
    const std::string part = trim(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (part.empty()) continue;
    const std::size_t at = part.find_first_of("<>=!");
    if (at == std::string::npos || at == 0) throw UsageError("--fail-on: '" + part + "' is not COLUMN<OP>VALUE");
    FailRule r;
    r.text = part;
    r.column = trim(part.substr(0, at));
    std::size_t op_end = at + 1;
    if (op_end < part.size() && part[op_end] == '=') ++op_end;
    r.op = part.substr(at, op_end - at);
    if (r.op == "=" || r.op == "!") throw UsageError("--fail-on: '" + part + "': use ==, !=, <, <=, > or >=");
    const std::string num = trim(part.substr(op_end));
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), r.value);
    if (num.empty() || ec != std::errc() || p != num.data() + num.size())
      throw UsageError("--fail-on: '" + part + "': '" + num + "' is not a number");
    const Column* col = find_column(columns, r.column);
    if (!col) throw UsageError("--fail-on: unknown column '" + r.column + "' (not in this run's report)");
    if (!is_numeric(col->kind)) throw UsageError("--fail-on: column '" + r.column + "' is not numeric");
    rules.push_back(r);
  }
  if (rules.empty()) throw UsageError("--fail-on: no rule given");
  return rules;
}

std::vector<std::string> failing_layers(const std::vector<FailRule>& rules, const std::vector<LayerRecord>& recs,
                                        const std::vector<Column>& columns) {
  std::vector<std::string> out;
  for (const auto& rule : rules) {
    const Column* col = find_column(columns, rule.column);
    for (const auto& r : recs) {
      if (!r.has_metrics()) continue;
      const double x = cell_number(col->get(r));
      if (std::isnan(x) || !holds(x, rule.op, rule.value)) continue;
      out.push_back(r.name + " (" + rule.text + ": " + rule.column + " = " + format_double(x) + ")");
    }
  }
  return out;
}

}  // namespace setol::cli
