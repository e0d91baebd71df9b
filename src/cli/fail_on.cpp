#include "cli/fail_on.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "setol/error.hpp"
#include "setol/report.hpp"

namespace setol::cli {
namespace {

using Scope = FailRule::Scope;

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

// "f(inner)" -> {"f", "inner"}; anything else -> {"", s}.
std::pair<std::string, std::string> call(const std::string& s) {
  const std::size_t open = s.find('(');
  if (open == std::string::npos || s.back() != ')') return {"", s};
  return {trim(s.substr(0, open)), trim(s.substr(open + 1, s.size() - open - 2))};
}

std::size_t column_index(const std::vector<Column>& cols, const std::string& name) {
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (cols[i].name == name) return i;
  return cols.size();
}

// What a count compares: a text cell up to its first ':' ("skipped: x" is "skipped", empty is "none"), as
// the summary counts; a flag as True/False.
bool counts(const Cell& c, const FailRule& r) {
  if (const auto* b = std::get_if<bool>(&c)) return r.has_equals ? (*b ? "True" : "False") == r.equals : *b;
  if (const auto* t = std::get_if<std::string>(&c)) {
    const std::string key = t->substr(0, t->find(':'));
    return r.has_equals ? (key.empty() ? "none" : key) == r.equals : !t->empty();
  }
  return !std::isnan(cell_number(c)) && (!r.has_equals || format_double(cell_number(c)) == r.equals);
}

// The value of a model-level expression over one input's rows (NaN when no row has a value).
double aggregate(const FailRule& r, const std::vector<CellRow>& rows, std::size_t col) {
  if (r.func == "count") {
    double n = 0;
    for (const auto& row : rows) n += counts(row[col], r) ? 1 : 0;
    return n;
  }
  double acc = r.func == "max" ? -std::numeric_limits<double>::infinity()
             : r.func == "min" ? std::numeric_limits<double>::infinity() : 0;
  std::size_t n = 0;
  for (const auto& row : rows) {
    const double v = cell_number(row[col]);
    if (std::isnan(v)) continue;
    ++n;
    if (r.func == "max") acc = std::max(acc, v);
    else if (r.func == "min") acc = std::min(acc, v);
    else acc += v;
  }
  if (n == 0) return std::nan("");
  return r.func == "mean" ? acc / static_cast<double>(n) : acc;
}

std::string cell_text(const Cell& c) {
  if (const auto* t = std::get_if<std::string>(&c)) return *t;
  return format_double(cell_number(c));
}

}  // namespace

std::string FailRule::subject() const {
  std::string inner = column;
  if (has_equals) inner += "==\"" + equals + "\"";
  if (func.empty()) return inner;
  inner = func + "(" + inner + ")";
  return scope == Scope::Delta ? "delta(" + inner + ")" : inner;
}

std::vector<FailRule> parse_fail_rules(const std::string& spec, const std::vector<Column>& columns,
                                       std::size_t inputs) {
  std::vector<FailRule> rules;
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = spec.find(',', start);
    const std::string part = trim(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (part.empty()) continue;
    // The comparison is the last operator outside parentheses and quotes.
    std::size_t at = std::string::npos;
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < part.size(); ++i) {
      const char ch = part[i];
      if (ch == '"') quoted = !quoted;
      else if (!quoted && ch == '(') ++depth;
      else if (!quoted && ch == ')') --depth;
      else if (!quoted && depth == 0 && std::string_view("<>=!").find(ch) != std::string_view::npos) {
        at = i;
        break;
      }
    }
    if (at == std::string::npos || at == 0) throw UsageError("--fail-on: '" + part + "' is not EXPR<OP>VALUE");
    FailRule r;
    r.text = part;
    std::size_t op_end = at + 1;
    if (op_end < part.size() && part[op_end] == '=') ++op_end;
    r.op = part.substr(at, op_end - at);
    if (r.op == "=" || r.op == "!") throw UsageError("--fail-on: '" + part + "': use ==, !=, <, <=, > or >=");
    const std::string num = trim(part.substr(op_end));
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), r.value);
    if (num.empty() || ec != std::errc() || p != num.data() + num.size())
      throw UsageError("--fail-on: '" + part + "': '" + num + "' is not a number");

    auto [f, inner] = call(trim(part.substr(0, at)));
    if (f == "delta") {
      r.scope = Scope::Delta;
      std::tie(f, inner) = call(inner);
      if (f.empty()) throw UsageError("--fail-on: '" + part + "': delta(...) takes mean(), max(), min(), sum() or count()");
      if (inputs < 2) throw UsageError("--fail-on: '" + part + "': delta() compares the last input with the first; give two or more inputs");
    } else if (!f.empty()) {
      r.scope = Scope::Model;
    }
    if (!f.empty() && f != "mean" && f != "max" && f != "min" && f != "sum" && f != "count")
      throw UsageError("--fail-on: '" + part + "': unknown function '" + f + "' (mean, max, min, sum, count, delta)");
    r.func = f;
    if (const std::size_t eq = inner.find("=="); eq != std::string::npos) {
      if (f != "count") throw UsageError("--fail-on: '" + part + "': COLUMN==\"VALUE\" only inside count()");
      std::string v = trim(inner.substr(eq + 2));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      r.has_equals = true;
      r.equals = v;
      inner = trim(inner.substr(0, eq));
    }
    r.column = inner;
    const Column* col = find_column(columns, r.column);
    if (!col) throw UsageError("--fail-on: unknown column '" + r.column + "' (not in this run's report)");
    if (f != "count" && !is_numeric(col->kind))
      throw UsageError("--fail-on: column '" + r.column + "' is not numeric" +
                       (f.empty() ? std::string(" (count(") + r.column + "==\"VALUE\") counts its values)" : ""));
    rules.push_back(r);
  }
  if (rules.empty()) throw UsageError("--fail-on: no rule given");
  return rules;
}

std::vector<std::string> gate_failures(const std::vector<FailRule>& rules, const std::vector<GateInput>& inputs,
                                       const std::vector<Column>& columns) {
  std::vector<std::string> out;
  const std::size_t name_col = column_index(columns, "name");
  for (const auto& rule : rules) {
    const std::size_t col = column_index(columns, rule.column);
    const std::string rule_text = "'" + rule.text + "'";
    if (rule.scope == Scope::Delta) {
      if (inputs.size() < 2) continue;
      const double first = aggregate(rule, *inputs.front().rows, col), last = aggregate(rule, *inputs.back().rows, col);
      const double d = last - first;
      if (!std::isnan(d) && holds(d, rule.op, rule.value))
        out.push_back(inputs.back().model + " vs " + inputs.front().model + ": " + rule_text + ": " + rule.subject() +
                      " = " + format_double(d) + " (" + format_double(last) + " - " + format_double(first) + ")");
      continue;
    }
    for (const auto& in : inputs) {
      if (rule.scope == Scope::Model) {
        const double v = aggregate(rule, *in.rows, col);
        if (!std::isnan(v) && holds(v, rule.op, rule.value))
          out.push_back(in.model + ": " + rule_text + ": " + rule.subject() + " = " + format_double(v));
        continue;
      }
      for (const auto& row : *in.rows) {
        const double x = cell_number(row[col]);
        if (std::isnan(x) || !holds(x, rule.op, rule.value)) continue;
        out.push_back(in.model + ": layer " + cell_text(row[name_col]) + ": " + rule_text + ": " + rule.column + " = " +
                      format_double(x));
      }
    }
  }
  return out;
}

}  // namespace setol::cli
