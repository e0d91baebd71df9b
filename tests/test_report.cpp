// The report layer: column catalogue, summary, CSV/JSON cells, writers and docs coverage.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "report/rows.hpp"
#include "setol/analyze.hpp"
#include "setol/report.hpp"

using namespace setol;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_text(path)); }

const std::string kOracle = std::string(SETOL_TEST_DATA) + "/oracle/corpus/mlp3-mnist10k-bs32-lr0.01/";

// A record with metrics: alpha and lambda_max set, the rest from simple closed forms.
LayerRecord layer(int id, double alpha, double lambda_max, LayerStatus status = LayerStatus::Success) {
  LayerRecord r;
  r.layer_id = id;
  r.name = "layer" + std::to_string(id);
  r.geometry.type = LayerType::Dense;
  r.geometry.N = 20, r.geometry.M = 10;
  r.status = status;
  if (r.has_metrics()) {
    ScaleMetrics s;
    s.lambda_max = lambda_max;
    s.norm = 2 * lambda_max;
    s.log_norm = std::log10(s.norm);
    s.log_spectral_norm = std::log10(lambda_max);
    s.stable_rank = 2;
    r.scale = s;
    r.fit.alpha = alpha;
    r.alpha_weighted = alpha * std::log10(lambda_max);
    r.log_alpha_norm = 0;
  }
  return r;
}

// Parses one CSV line (RFC 4180 quoting) into fields.
std::vector<std::string> parse_csv_line(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else out.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

}  // namespace

TEST(Report, CsvQuoting) {
  EXPECT_EQ(csv_quote("fc1.weight"), "fc1.weight");
  EXPECT_EQ(csv_quote("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_quote("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_quote("two\nlines"), "\"two\nlines\"");
  for (const std::string s : {"a,b", "q\"uote", "x\"y,z\"", "plain"})
    EXPECT_EQ(parse_csv_line(csv_quote(s)), std::vector<std::string>{s});
}

TEST(Report, NullAndNonFiniteCells) {
  EXPECT_TRUE(cell_json(Cell{}).is_null());
  EXPECT_TRUE(cell_json(Cell{std::nan("")}).is_null());
  EXPECT_TRUE(cell_json(Cell{INFINITY}).is_null());  // JSON has no infinity
  EXPECT_EQ(cell_json(Cell{1.5}).get<double>(), 1.5);
  EXPECT_EQ(report::csv_cell(Cell{}), "");
  EXPECT_EQ(report::csv_cell(Cell{std::nan("")}), "");  // as pandas writes NaN
  EXPECT_EQ(report::csv_cell(Cell{INFINITY}), "inf");
  EXPECT_EQ(report::csv_cell(Cell{true}), "True");
  EXPECT_EQ(report::csv_cell(Cell{std::vector<std::int64_t>{300, 784}}), "\"(300, 784)\"");
  EXPECT_EQ(report::table_cell(Cell{}, ColumnKind::Real, 3), "-");
  EXPECT_EQ(report::table_cell(Cell{}, ColumnKind::Text, -1), "");
  EXPECT_EQ(report::table_cell(Cell{2.0 / 3.0}, ColumnKind::Real, 3), "0.667");
  // The shortest text that reads back to the same double.
  for (double v : {0.1, 1.0 / 3.0, 1e-300, 123456.789, -2.5e17}) EXPECT_EQ(std::stod(format_double(v)), v);
}

TEST(Report, DefaultColumnsCoverWeightWatchersDetails) {
  // Every column of WeightWatcher's details frame (its own output) is in setol's default
  // report, but for the two that describe Python objects.
  const auto cols = analyze_columns(AnalyzeOptions{}, false);
  const auto details = read_json(kOracle + "default/details.json");
  for (const auto& [key, v] : details["records"][0].items()) {
    if (key == "has_esd" || key == "longname") continue;
    EXPECT_NE(find_column(cols, key), nullptr) << key;
  }
  EXPECT_EQ(cols.front().name, "layer_id");
  EXPECT_EQ(cols.back().name, "status");
}

TEST(Report, ColumnsFollowTheOptions) {
  AnalyzeOptions o;
  const auto base = analyze_columns(o, false);
  EXPECT_EQ(find_column(base, "slice_id"), nullptr);
  EXPECT_NE(find_column(analyze_columns(o, true), "slice_id"), nullptr);
  o.mp_fit = o.randomize = o.detx = o.setol = o.htmp = true;
  o.tail.distribution = TailDistribution::TruncatedPowerLaw;
  const auto all = analyze_columns(o, false);
  for (const char* c : {"Lambda", "num_spikes", "rand_num_spikes", "correlation_trap", "detX_num", "erg_ok",
                        "quality_imp", "htmp_kappa"})
    EXPECT_NE(find_column(all, c), nullptr) << c;
  EXPECT_EQ(find_column(all, "num_fingers"), nullptr);
  // The options add columns between the default ones and status; the default order is kept.
  std::vector<std::string> kept;
  for (const auto& c : all)
    if (find_column(base, c.name)) kept.push_back(c.name);
  std::vector<std::string> expected;
  for (const auto& c : base) expected.push_back(c.name);
  EXPECT_EQ(kept, expected);
  EXPECT_EQ(all.back().name, "status");
  std::set<std::string> names;
  for (const auto& c : all) EXPECT_TRUE(names.insert(c.name).second) << "duplicate column " << c.name;
}

TEST(Report, SummaryKeysAreWeightWatchersGetSummary) {
  // WeightWatcher's get_summary() keys, in its order, from its own output.
  for (const char* run : {"default", "detx_rand_mp"}) {
    AnalyzeOptions o;
    o.mp_fit = o.randomize = o.detx = std::string(run) == "detx_rand_mp";
    const auto s = summarize({layer(0, 3, 10)}, analyze_columns(o, false));
    std::vector<std::string> ww;
    const auto ref = nlohmann::ordered_json::parse(read_text(kOracle + run + "/summary.json"));  // keeps key order
    for (const auto& [k, v] : ref.items()) ww.push_back(k);
    EXPECT_EQ(s.mean_columns, ww) << run;
    const auto j = summary_json(s);
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    ww.insert(ww.end(), {"num_layers", "status_counts", "warning_counts"});
    EXPECT_EQ(keys, ww) << run;
  }
}

TEST(Report, SummaryMeansAndCounts) {
  std::vector<LayerRecord> recs = {layer(0, 3, 10), layer(1, 7, 1000), layer(2, -1, 100, LayerStatus::Failed),
                                   layer(3, 0, 0, LayerStatus::Skipped)};
  recs[3].reason = "too few eigenvalues";
  recs[1].alpha_weighted = std::nan("");  // NaN is skipped, as pandas' mean
  const auto s = summarize(recs, analyze_columns(AnalyzeOptions{}, false));
  EXPECT_EQ(s.layers, 4);
  EXPECT_DOUBLE_EQ(s.means.at("alpha"), (3.0 + 7.0 - 1.0) / 3);  // failed fits enter with -1, skipped rows not at all
  EXPECT_DOUBLE_EQ(s.means.at("alpha_weighted"), (3.0 * 1 + -1.0 * 2) / 2);
  EXPECT_DOUBLE_EQ(s.means.at("log_spectral_norm"), (1.0 + 3.0 + 2.0) / 3);
  const auto st = s.counts_of("status");
  EXPECT_EQ(st.at("success"), 2);
  EXPECT_EQ(st.at("failed"), 1);
  EXPECT_EQ(st.at("skipped"), 1);
  const auto w = s.counts_of("warning");
  EXPECT_EQ(w.at("none"), 1);
  EXPECT_EQ(w.at("under-trained"), 1);
  EXPECT_EQ(w.at("over-trained"), 1);  // alpha = -1, as WeightWatcher
  EXPECT_EQ(w.count("skipped"), 0u);
  // No layer with a value: the key stays, with null.
  const auto empty = summary_json(summarize({recs[3]}, analyze_columns(AnalyzeOptions{}, false)));
  EXPECT_TRUE(empty["alpha"].is_null());
}

TEST(Report, EveryFormatWritesAnalyzeAndDescribe) {
  const AnalyzeOptions o;
  const auto cols = analyze_columns(o, false);
  std::vector<LayerRecord> recs = {layer(0, 3, 10), layer(1, 7, 1000)};
  const Summary s = summarize(recs, cols);
  const RunInfo run{"analyze", {{.path = "m.safetensors", .format = "safetensors", .tensors = 2}}, to_json(o)};
  TensorRow t;
  t.name = "odd \"name\", with comma";
  t.shape = {3, 4};
  t.dtype = "F32";
  t.analysis = "not a layer (bias)";
  const std::vector<TensorRow> rows = {t};
  for (const auto& f : output_formats()) {
    SCOPED_TRACE(std::string(f.name));
    auto w = f.make_writer();
    std::ostringstream a, d;
    std::vector<CellRow> cells;
    for (const auto& r : recs) cells.push_back(cells_of(r, cols));
    for (const auto& r : cells) w->layer(a, r, cols);
    w->analyze(a, {run, cells, s, cols});
    w->describe(d, {run, rows});
    EXPECT_NE(a.str().find("layer1"), std::string::npos);
    EXPECT_NE(d.str().find("name"), std::string::npos);
    for (auto ext : f.extensions) EXPECT_EQ(output_format_for_file("x" + std::string(ext)), &f);
    if (f.name == "csv") {
      std::istringstream in(d.str());
      std::string header, line;
      std::getline(in, header);
      std::getline(in, line);
      const auto fields = parse_csv_line(line);
      ASSERT_EQ(fields.size(), describe_columns().size());
      EXPECT_EQ(fields[1], t.name);
      EXPECT_EQ(fields[2], "(3, 4)");
    }
    if (f.name == "json") {
      const auto j = nlohmann::json::parse(a.str());
      EXPECT_EQ(j["layers"].size(), 2u);
      EXPECT_DOUBLE_EQ(j["summary"]["alpha"].get<double>(), 5.0);
      EXPECT_EQ(nlohmann::json::parse(d.str())["tensors"][0]["shape"], nlohmann::json::array({3, 4}));
    }
  }
  EXPECT_THROW(output_format("xml"), UsageError);
}

// Names in checkpoints are bytes; JSON strings must be UTF-8. Bytes that are not valid UTF-8
// (a lone continuation byte, a truncated sequence, an overlong form, a surrogate) are written
// as the text \xNN; valid multi-byte characters pass unchanged.
TEST(Report, NamesThatAreNotUtf8AreWrittenEscaped) {
  const AnalyzeOptions o;
  const auto cols = analyze_columns(o, false);
  LayerRecord r = layer(0, 3, 10);
  //        lone 0x80 after 0xFF | e-acute | truncated euro sign | overlong '/' | surrogate
  r.name = "w\xff\x80.k\xc3\xa9y\xe2\x82" "\xc0\xaf" "\xed\xa0\x80";
  const std::string expected = R"(w\xFF\x80.k)" "\xc3\xa9" R"(y\xE2\x82\xC0\xAF\xED\xA0\x80)";
  const RunInfo run{"analyze", {{.path = "m\xfe.safetensors", .format = "safetensors", .tensors = 1}}, to_json(o)};
  const std::vector<CellRow> cells = {cells_of(r, cols)};
  const Summary s = summarize(std::vector<LayerRecord>{r}, cols);
  for (const char* name : {"json", "jsonl"}) {
    SCOPED_TRACE(name);
    std::ostringstream out;
    const auto writer = output_format(name).make_writer();
    writer->begin(out, run);  // JSONL streams the header and rows; JSON writes all at the end
    for (const auto& c : cells) writer->layer(out, c, cols);
    writer->analyze(out, {run, cells, s, cols});
    nlohmann::json header, row;
    if (std::string(name) == "json") {
      header = nlohmann::json::parse(out.str());
      row = header["layers"][0];
    } else {
      std::istringstream lines(out.str());
      std::string line;
      std::getline(lines, line);
      header = nlohmann::json::parse(line);
      std::getline(lines, line);
      row = nlohmann::json::parse(line);
    }
    EXPECT_EQ(row["name"].get<std::string>(), expected);
    EXPECT_EQ(header["inputs"][0]["path"].get<std::string>(), R"(m\xFE.safetensors)");
  }
}

TEST(Report, EveryColumnIsDocumented) {
  const std::string doc = read_text(std::string(SETOL_SOURCE_DIR) + "/docs/metrics.md");
  ASSERT_FALSE(doc.empty());
  for (const auto& e : column_catalogue()) {
    EXPECT_NE(doc.find("`" + e.column.name + "`"), std::string::npos) << e.column.name << " not in docs/metrics.md";
    EXPECT_FALSE(e.column.doc.empty()) << e.column.name;
  }
  for (const auto& c : describe_columns())
    EXPECT_NE(doc.find("`" + c.name + "`"), std::string::npos) << c.name << " not in docs/metrics.md";
  // compare: the fixed columns by name, the delta_/dW_ families by their pattern.
  AnalyzeOptions all;
  all.mp_fit = all.randomize = all.detx = all.setol = all.htmp = true;
  for (const auto& c : compare_columns(all, true)) {
    const bool family = c.name.rfind("delta_", 0) == 0 || c.name.rfind("dW_", 0) == 0;
    if (!family || c.name == "delta_W" || c.name == "dW_status") {
      EXPECT_NE(doc.find("`" + c.name + "`"), std::string::npos) << c.name << " not in docs/metrics.md";
    }
  }
  EXPECT_NE(doc.find("`delta_<c>`"), std::string::npos);
  EXPECT_NE(doc.find("`dW_<c>`"), std::string::npos);
}

// docs/report.schema.json lists every column a row can have, with the JSON type of its kind
// (the schema's rows allow no other key, so a column added without the schema fails here and
// in the batch test's validation).
TEST(Report, SchemaCoversEveryColumn) {
  const auto schema = nlohmann::json::parse(read_text(std::string(SETOL_SOURCE_DIR) + "/docs/report.schema.json"));
  auto json_type = [](ColumnKind k) -> std::string {
    switch (k) {
      case ColumnKind::Id: case ColumnKind::Integer: return "integer";
      case ColumnKind::Real: case ColumnKind::Randomized: return "number";
      case ColumnKind::Text: return "string";
      case ColumnKind::Flag: return "boolean";
      case ColumnKind::Shape: return "array";
    }
    return "";
  };
  auto check = [&](const std::string& def, const std::string& name, ColumnKind kind) {
    const auto& props = schema["$defs"][def]["properties"];
    ASSERT_TRUE(props.contains(name)) << def << " lacks " << name;
    const auto& t = props[name]["type"];
    EXPECT_TRUE(t == json_type(kind) || (t.is_array() && t[0] == json_type(kind))) << def << "." << name;
  };
  for (const auto& e : column_catalogue()) check("layer", e.column.name, e.column.kind);
  for (const auto& c : describe_columns()) check("describe_row", c.name, c.kind);
  AnalyzeOptions o;
  o.mp_fit = o.randomize = o.detx = o.setol = o.htmp = true;
  for (const auto& c : compare_columns(o, true)) check("compare_row", c.name, c.kind);
  o.tail.distribution = TailDistribution::TruncatedPowerLaw;
  for (const auto& c : compare_columns(o, false)) check("compare_row", c.name, c.kind);
  o.tail.distribution = TailDistribution::PowerLaw;
  o.tail.fix_fingers = FixFingers::ClipXmax;
  for (const auto& c : compare_columns(o, false)) check("compare_row", c.name, c.kind);
}

TEST(Report, OptionsJsonHasEveryDeclaredKey) {
  AnalyzeOptions o;
  o.tail.fix_fingers = FixFingers::ClipXmax;
  o.precision = Precision::F32;
  const auto j = to_json(o);
  for (const auto& s : analyze_option_specs()) EXPECT_TRUE(j.contains(s.key)) << s.key;
  EXPECT_EQ(j["fix_fingers"], "clip_xmax");
  EXPECT_EQ(j["precision"], "f32");
  EXPECT_EQ(j["fit"], "PL");
  EXPECT_TRUE(j["xmin_max"].is_null());  // 0 = not set
  EXPECT_EQ(j["min_evals"], 10);
  EXPECT_TRUE(to_json(AnalyzeOptions{})["fix_fingers"].is_null());
  o.tail.distribution = TailDistribution::TruncatedPowerLaw;
  EXPECT_THROW(validate(o), UsageError);
  EXPECT_EQ(enum_value(kFixFingersNames, "xmin_peak", "--fix-fingers"), FixFingers::XminPeak);
  EXPECT_THROW(enum_value(kFixFingersNames, "bogus", "--fix-fingers"), UsageError);
}
