// The single-file HTML report (docs/figures.md): summary, model figures, a sortable table of the
// layers with warnings and statuses highlighted, and each layer's figures under its row. Everything
// is inline; the page fetches nothing.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/figures/canvas.hpp"
#include "setol/figures.hpp"

namespace setol::fig {
namespace {

std::string esc(const std::string& s) { return xml_escape(s); }

// A field of the report, null when absent: `setol plot` draws reports read back from disk, whose
// fields are checked (src/cli/report_shape.hpp) only as far as the commands need them.
const nlohmann::ordered_json& field(const nlohmann::ordered_json& j, const char* key) {
  static const nlohmann::ordered_json none;
  if (!j.is_object()) return none;
  const auto it = j.find(key);
  return it == j.end() ? none : *it;
}
std::string text(const nlohmann::ordered_json& j, const char* key) {
  const auto& v = field(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::string cell(const nlohmann::ordered_json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v.get<double>());
    return buf;
  }
  return v.dump();
}

// The columns shown, in this order, when the report has them (every column is in the JSON).
const char* const kCompareShown[] = {"name", "slice_id", "base_layer_id", "other_layer_id", "layer_type", "N", "M",
                                     "base_alpha", "other_alpha", "delta_alpha", "delta_alpha_weighted",
                                     "delta_log_spectral_norm", "delta_W", "cka", "dW_alpha", "status"};
const char* const kShown[] = {"model", "layer_id", "slice_id", "name", "layer_type", "N", "M", "num_evals", "alpha",
                              "alpha_weighted", "D", "num_pl_spikes", "log_spectral_norm", "stable_rank", "mp_softrank",
                              "num_spikes", "correlation_trap", "delta_lambda_min", "erg_ok", "htmp_kappa", "warning",
                              "status"};

const char* kStyle = R"(
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.meta{color:#555;font-size:13px} .meta code{background:#f4f4f4;padding:0 3px}
table{border-collapse:collapse;font-size:13px} th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
th{background:#f4f4f4;cursor:pointer;position:sticky;top:0;user-select:none} th.sorted-asc::after{content:" ▲"}
th.sorted-desc::after{content:" ▼"} td.t{text-align:left}
tr.layer:hover{background:#f0f6ff;cursor:pointer} tr.over td{background:#fde8dc} tr.under td{background:#fff4d6}
tr.bad td{color:#888;font-style:italic} tr.detail td{background:#fafafa;text-align:left}
.figs{display:flex;flex-wrap:wrap;gap:10px} .figs svg{width:400px;height:auto;border:1px solid #eee}
.legend span{display:inline-block;padding:1px 6px;margin-right:8px;font-size:12px}
#js-error{display:none;background:#c00;color:#fff;padding:6px}
)";

const char* kScript = R"(
window.onerror = function (m) {
  var e = document.getElementById('js-error'); e.style.display = 'block'; e.textContent = 'script error: ' + m;
  document.body.setAttribute('data-js-error', '1');
};
(function () {
  var table = document.getElementById('layers');
  if (!table) { document.body.setAttribute('data-ready', '1'); return; }
  var body = table.tBodies[0];
  function pairs() {
    var out = [], rows = body.querySelectorAll('tr.layer');
    for (var i = 0; i < rows.length; i++) out.push([rows[i], document.getElementById('d' + rows[i].dataset.idx)]);
    return out;
  }
  body.addEventListener('click', function (ev) {
    var tr = ev.target.closest('tr.layer');
    if (!tr) return;
    var d = document.getElementById('d' + tr.dataset.idx);
    if (d) d.hidden = !d.hidden;
  });
  var heads = table.tHead.rows[0].cells;
  for (var c = 0; c < heads.length; c++) (function (col, th) {
    th.addEventListener('click', function () {
      var asc = !th.classList.contains('sorted-asc');
      for (var k = 0; k < heads.length; k++) heads[k].classList.remove('sorted-asc', 'sorted-desc');
      th.classList.add(asc ? 'sorted-asc' : 'sorted-desc');
      var p = pairs();
      p.sort(function (a, b) {
        var x = a[0].cells[col].textContent, y = b[0].cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : (x === y ? 0 : (x < y ? -1 : 1));
        if (x === '' && y !== '') r = 1; else if (y === '' && x !== '') r = -1;
        return asc ? r : -r;
      });
      p.forEach(function (q) { body.appendChild(q[0]); if (q[1]) body.appendChild(q[1]); });
    });
  })(c, heads[c]);
  document.body.setAttribute('data-ready', '1');
})();
)";

void summary_table(std::ostringstream& h, const nlohmann::ordered_json& s) {
  h << "<table><tbody>";
  for (const auto& [k, v] : s.items()) {
    if (v.is_object()) {
      std::string counts;
      for (const auto& [n, c] : v.items()) counts += (counts.empty() ? "" : ", ") + n + " " + cell(c);
      h << "<tr><td class=\"t\">" << esc(k) << "</td><td class=\"t\">" << esc(counts) << "</td></tr>";
    } else {
      h << "<tr><td class=\"t\">" << esc(k) << "</td><td>" << esc(cell(v)) << "</td></tr>";
    }
  }
  h << "</tbody></table>\n";
}

}  // namespace

std::string html_report(const nlohmann::ordered_json& report, const Drawn& model_svgs,
                        const std::map<std::size_t, Drawn>& layer_svgs) {
  std::ostringstream h;
  std::string inputs;
  for (const auto& in : field(report, "inputs")) inputs += (inputs.empty() ? "" : ", ") + text(in, "path");
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>setol report: " << esc(inputs)
    << "</title>\n<style>" << kStyle << "</style></head>\n<body>\n<div id=\"js-error\"></div>\n";
  const std::string command = text(report, "command");
  h << "<h1>setol " << (command == "compare" ? "comparison" : "report") << "</h1>\n<div class=\"meta\">"
    << esc(text(field(report, "tool"), "name")) << ' ' << esc(text(field(report, "tool"), "version")) << " · "
    << esc(command) << "<br>";
  for (const auto& in : field(report, "inputs")) {
    h << "<code>" << esc(text(in, "path")) << "</code> (" << esc(cell(field(in, "format"))) << ", "
      << esc(cell(field(in, "tensors"))) << " tensors";
    if (!field(in, "role").is_null()) h << ", " << esc(cell(field(in, "role")));
    if (!field(in, "error").is_null()) h << ", <b>error:</b> " << esc(cell(field(in, "error")));
    h << ")<br>";
  }
  std::string opts;
  for (const auto& [k, v] : field(report, "options").items())
    if (v.is_boolean() ? v.get<bool>() : (!v.is_null() && !(v.is_array() && v.empty()) && k != "format" && k != "output"))
      opts += (opts.empty() ? "" : " · ") + k + (v.is_boolean() ? "" : "=" + cell(v));
  h << "options: " << esc(opts) << "</div>\n";

  h << "<h2>Summary</h2>\n";
  if (field(report, "models").is_array()) {
    h << "<table><thead><tr><th>model</th><th>status</th><th>layers</th><th>mean alpha</th><th>mean alpha_weighted</th>"
         "<th>mean log_spectral_norm</th></tr></thead><tbody>";
    for (const auto& m : field(report, "models")) {
      const auto& s = field(m, "summary");
      h << "<tr><td class=\"t\">" << esc(text(m, "model")) << "</td><td class=\"t\">" << esc(text(m, "status"))
        << "</td><td>" << esc(cell(field(s, "num_layers"))) << "</td><td>" << esc(cell(field(s, "alpha")))
        << "</td><td>" << esc(cell(field(s, "alpha_weighted"))) << "</td><td>"
        << esc(cell(field(s, "log_spectral_norm"))) << "</td></tr>";
    }
    h << "</tbody></table>\n";
  } else if (field(report, "summary").is_object()) {
    summary_table(h, field(report, "summary"));
  }

  if (!model_svgs.empty()) {
    h << "<h2>Model</h2>\n<div class=\"figs\">\n";
    for (const auto& [kind, svg] : model_svgs) h << "<figure data-kind=\"" << esc(kind) << "\">" << svg << "</figure>\n";
    h << "</div>\n";
  }

  const auto& layers = field(report, "layers");
  std::vector<std::string> cols;
  const bool compare = command == "compare";
  if (layers.is_array() && !layers.empty()) {
    for (const char* c : compare ? std::vector<const char*>(std::begin(kCompareShown), std::end(kCompareShown))
                                 : std::vector<const char*>(std::begin(kShown), std::end(kShown)))
      if (layers[0].is_object() && layers[0].contains(c)) cols.emplace_back(c);
  }
  h << "<h2>Layers</h2>\n<p class=\"meta legend\">click a column to sort, a row to show its figures · "
       "<span style=\"background:#fde8dc\">over-trained (α &lt; 2)</span><span style=\"background:#fff4d6\">"
       "under-trained (α &gt; 6)</span><span style=\"color:#888;font-style:italic\">not analyzed</span></p>\n";
  h << "<table id=\"layers\"><thead><tr>";
  for (const auto& c : cols) h << "<th>" << esc(c) << "</th>";
  h << "</tr></thead><tbody>\n";
  for (std::size_t i = 0; layers.is_array() && i < layers.size(); ++i) {
    const auto& row = layers[i];
    const std::string warning = text(row, "warning"), status = text(row, "status");
    std::string cls = "layer";
    if (warning == "over-trained") cls += " over";
    if (warning == "under-trained") cls += " under";
    if (status != "success") cls += " bad";
    h << "<tr class=\"" << cls << "\" data-idx=\"" << i << "\">";
    for (const auto& c : cols) {
      const auto& v = field(row, c.c_str());
      h << "<td" << (v.is_string() || c == "name" ? " class=\"t\"" : "") << ">" << esc(cell(v)) << "</td>";
    }
    h << "</tr>\n";
    const auto it = layer_svgs.find(i);
    if (it != layer_svgs.end() && !it->second.empty()) {
      h << "<tr class=\"detail\" id=\"d" << i << "\" hidden><td colspan=\"" << cols.size() << "\"><div class=\"figs\">";
      for (const auto& [kind, svg] : it->second) h << "<figure data-kind=\"" << esc(kind) << "\">" << svg << "</figure>";
      h << "</div></td></tr>\n";
    }
  }
  h << "</tbody></table>\n<script>" << kScript << "</script>\n</body></html>\n";
  return h.str();
}

}  // namespace setol::fig
