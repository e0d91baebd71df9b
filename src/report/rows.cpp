// Cell text shared by the writers.
#include "report/rows.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace setol {

std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

// Non-finite reals are null in JSON (JSON has no NaN or infinity).
nlohmann::ordered_json cell_json(const Cell& c) {
  return std::visit(
      [](const auto& v) -> nlohmann::ordered_json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) return nullptr;
        else if constexpr (std::is_same_v<T, double>) return std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr;
        else return v;
      },
      c);
}

namespace report {

std::string shape_text(const std::vector<std::int64_t>& s) {
  std::ostringstream o;
  o << '(';
  for (std::size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  if (s.size() == 1) o << ',';
  o << ')';
  return o.str();
}

std::string csv_cell(const Cell& c) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) return "";
        else if constexpr (std::is_same_v<T, double>) return std::isnan(v) ? "" : format_double(v);
        else if constexpr (std::is_same_v<T, std::string>) return csv_quote(v);
        else if constexpr (std::is_same_v<T, bool>) return v ? "True" : "False";
        else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) return csv_quote(shape_text(v));
        else return std::to_string(v);
      },
      c);
}

std::string table_cell(const Cell& c, ColumnKind kind, int precision) {
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) return is_numeric(kind) ? "-" : "";
        else if constexpr (std::is_same_v<T, double>) {
          if (precision < 0 || !std::isfinite(v)) return format_double(v);
          char buf[64];
          std::snprintf(buf, sizeof buf, "%.*f", precision, v);
          return buf;
        } else if constexpr (std::is_same_v<T, std::string>) return v;
        else if constexpr (std::is_same_v<T, bool>) return v ? "yes" : "no";
        else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) return shape_text(v);
        else return std::to_string(v);
      },
      c);
}

}  // namespace report

nlohmann::ordered_json layer_row_json(const LayerRecord& r, const std::vector<Column>& columns) {
  return report::row_json(r, columns);
}

void ReportWriter::begin(std::ostream&, const RunInfo&) {}
void ReportWriter::layer(std::ostream&, const CellRow&, const std::vector<Column>&) {}

}  // namespace setol
