// CSV (for notebooks) and the terminal table.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iomanip>

#include "setol/report.hpp"

namespace setol {

std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

namespace {

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

// NaN and missing values are empty fields, as pandas writes them.
std::string csv_cell(const Cell& c) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) return "";
        else if constexpr (std::is_same_v<T, double>) return std::isnan(v) ? "" : format_double(v);
        else if constexpr (std::is_same_v<T, std::string>) return csv_quote(v);
        else if constexpr (std::is_same_v<T, bool>) return v ? "True" : "False";
        else return std::to_string(v);
      },
      c);
}

std::string fixed(double v, int prec) {
  if (!std::isfinite(v)) return format_double(v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

}  // namespace

void write_csv(std::ostream& os, const std::vector<LayerRecord>& recs, const std::vector<Column>& cols) {
  for (std::size_t i = 0; i < cols.size(); ++i) os << (i ? "," : "") << cols[i].name;
  os << '\n';
  for (const auto& r : recs) {
    for (std::size_t i = 0; i < cols.size(); ++i) os << (i ? "," : "") << csv_cell(cols[i].get(r));
    os << '\n';
  }
}

void write_table(std::ostream& os, const std::vector<LayerRecord>& recs, const Summary& s) {
  auto name_of = [&](const LayerRecord& r) {
    std::string n = r.name;
    if (r.slice_id) n += "[" + std::to_string(*r.slice_id) + "]";
    return n.size() > 48 ? n.substr(0, 45) + "..." : n;
  };
  std::size_t wname = 4;
  for (const auto& r : recs) wname = std::max(wname, name_of(r).size());
  os << std::left << std::setw(5) << "id" << std::setw(static_cast<int>(wname) + 2) << "name" << std::setw(10) << "type"
     << std::right << std::setw(13) << "N x M" << std::setw(8) << "alpha" << std::setw(10) << "alpha_w" << std::setw(8)
     << "D" << std::setw(8) << "spikes" << "  " << std::left << std::setw(15) << "warning" << "status\n";
  for (const auto& r : recs) {
    const std::string nm = std::to_string(r.geometry.N) + "x" + std::to_string(r.geometry.M);
    os << std::left << std::setw(5) << r.layer_id << std::setw(static_cast<int>(wname) + 2) << name_of(r)
       << std::setw(10) << layer_type_name(r.geometry.type) << std::right << std::setw(13) << nm;
    if (r.has_metrics()) {
      os << std::setw(8) << fixed(r.fit.alpha, 3) << std::setw(10) << fixed(r.alpha_weighted, 3) << std::setw(8)
         << fixed(r.fit.D, 3) << std::setw(8) << r.fit.num_pl_spikes << "  " << std::left << std::setw(15)
         << r.warning();
    } else {
      os << std::setw(8) << "-" << std::setw(10) << "-" << std::setw(8) << "-" << std::setw(8) << "-" << "  "
         << std::left << std::setw(15) << "";
    }
    os << r.status_text() << '\n';
  }
  os << "\nsummary over " << s.layers << " layers:";
  for (const auto& [k, v] : s.status_counts) os << ' ' << k << '=' << v;
  os << '\n';
  for (const char* k : {"alpha", "alpha_weighted", "log_norm", "log_spectral_norm", "stable_rank"}) {
    auto it = s.means.find(k);
    if (it != s.means.end()) os << "  mean " << std::left << std::setw(18) << k << fixed(it->second, 4) << '\n';
  }
}

}  // namespace setol
