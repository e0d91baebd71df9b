// describe: every tensor with its shape, dtype and what the analysis would do with it.
// Reads only headers, never tensor data, so it is fast on multi-GB checkpoints.
#include <iomanip>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "setol/report.hpp"

namespace setol::cli {
namespace {

std::string shape_text(const std::vector<std::int64_t>& s) {
  std::ostringstream o;
  o << '(';
  for (std::size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  if (s.size() == 1) o << ',';
  o << ')';
  return o.str();
}

struct Row {
  int id;
  const TensorInfo* t;
  LayerGeometry g;
  std::int64_t num_evals = 0;
  std::string analysis;  // "analyze", "skipped: ...", or the role of a non-layer
};

}  // namespace

int run_describe(const DescribeArgs& a) {
  auto model = open_model(a.path);
  // Rows the analysis would produce, keyed by tensor, to report the size filters.
  const auto planned = plan_layers(*model, a.options);
  std::vector<Row> rows;
  const auto& tensors = model->tensors();
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    Row r{static_cast<int>(i), &tensors[i], classify_tensor(tensors[i]), 0, ""};
    if (r.g.type == LayerType::NotALayer) {
      r.analysis = "not a layer (" + r.g.role + ")";
    } else {
      r.analysis = "not selected";
      for (const auto& p : planned) {
        if (p.tensor_index != i) continue;
        r.num_evals += p.num_evals;
        r.analysis = p.status == LayerStatus::Skipped ? p.status_text() : "analyze";
      }
      if (r.num_evals == 0) r.num_evals = r.g.M * r.g.rf;
    }
    rows.push_back(std::move(r));
  }

  Output out(a.out);
  auto& os = out.stream();
  auto layer_type = [](const Row& r) {
    return r.g.type == LayerType::NotALayer ? std::string() : std::string(layer_type_name(r.g.type));
  };
  if (out.format() == Format::Json || out.format() == Format::Jsonl) {
    RunInfo run{"describe", a.path, model->format(), tensors.size(), nlohmann::ordered_json::object()};
    nlohmann::ordered_json j = run_header_json(run);
    j["tensors"] = nlohmann::ordered_json::array();
    for (const auto& r : rows) {
      nlohmann::ordered_json t;
      t["layer_id"] = r.id;
      t["name"] = r.t->name;
      t["shape"] = r.t->shape;
      t["dtype"] = r.t->dtype_text;
      t["layer_type"] = layer_type(r).empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(layer_type(r));
      t["N"] = r.g.N;
      t["M"] = r.g.M;
      t["rf"] = r.g.rf;
      t["num_evals"] = r.num_evals;
      t["analysis"] = r.analysis;
      if (out.format() == Format::Jsonl) os << t.dump() << '\n';
      else j["tensors"].push_back(t);
    }
    if (out.format() == Format::Json) os << j.dump(1) << '\n';
  } else if (out.format() == Format::Csv) {
    os << "layer_id,name,shape,dtype,layer_type,N,M,rf,num_evals,analysis\n";
    for (const auto& r : rows)
      os << r.id << ",\"" << r.t->name << "\",\"" << shape_text(r.t->shape) << "\"," << r.t->dtype_text << ','
         << layer_type(r) << ',' << r.g.N << ',' << r.g.M << ',' << r.g.rf << ',' << r.num_evals << ",\"" << r.analysis
         << "\"\n";
  } else {
    os << model->format() << ": " << a.path << " (" << tensors.size() << " tensors)\n";
    os << std::left << std::setw(5) << "id" << std::setw(44) << "name" << std::setw(22) << "shape" << std::setw(8)
       << "dtype" << std::setw(10) << "type" << std::right << std::setw(8) << "evals" << "  analysis\n";
    for (const auto& r : rows)
      os << std::left << std::setw(5) << r.id << std::setw(44) << r.t->name << std::setw(22) << shape_text(r.t->shape)
         << std::setw(8) << r.t->dtype_text << std::setw(10) << layer_type(r) << std::right << std::setw(8)
         << r.num_evals << "  " << r.analysis << '\n';
  }
  out.commit();
  return 0;
}

}  // namespace setol::cli
