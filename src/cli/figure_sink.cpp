#include "cli/figure_sink.hpp"

#include "setol/error.hpp"
#include "setol/report.hpp"

namespace setol::cli {

FigureSink::FigureSink(FigureOptions o, std::vector<std::string> inputs) : o_(std::move(o)), inputs_(std::move(inputs)) {
  if (o_.dir.empty()) return;
  for (std::size_t k = 0; k < (inputs_.size() > 1 ? inputs_.size() : 1); ++k) {
    std::error_code ec;
    std::filesystem::create_directories(folder(inputs_.size() > 1 ? inputs_[k] : ""), ec);
    if (ec) throw InputError(o_.dir, "cannot create --plot folder: " + ec.message());
  }
}

std::filesystem::path FigureSink::folder(const std::string& model) const {
  if (o_.dir.empty()) return {};
  for (std::size_t k = 0; k < inputs_.size() && inputs_.size() > 1; ++k)
    if (inputs_[k] == model) return std::filesystem::path(o_.dir) / std::to_string(k);
  return o_.dir;
}

std::string FigureSink::key(const nlohmann::ordered_json& row) {
  return row.value("model", std::string()) + '\n' + row["layer_id"].dump() + '\n' +
         row.value("slice_id", nlohmann::ordered_json()).dump();
}

void FigureSink::layer(const nlohmann::ordered_json& row, std::vector<double> evals, std::vector<double> rand_evals) {
  if (!o_.active()) return;
  const fig::LayerData d = fig::layer_data(row, std::move(evals), std::move(rand_evals));
  auto drawn = fig::write_figures(fig::layer_figures(d), folder(row.value("model", std::string())), fig::layer_stem(d),
                                  o_.kinds);
  if (!o_.html.empty()) drawn_[key(row)] = std::move(drawn);
}

void FigureSink::finish(const nlohmann::ordered_json& report) {
  if (!o_.active()) return;
  std::vector<fig::ModelRows> models;
  for (const auto& in : report["inputs"]) models.push_back({in.value("path", std::string()), {}});
  const auto& layers = report.value("layers", nlohmann::ordered_json::array());
  for (const auto& row : layers) {
    const std::string model = row.value("model", std::string());
    for (auto& m : models)
      if (model.empty() || m.model == model) {
        m.layers.push_back(fig::layer_data(row, {}, {}));
        break;
      }
  }
  const auto model_svgs = fig::write_figures(fig::model_figures(models), o_.dir, "model", o_.kinds);
  if (o_.html.empty()) return;
  std::map<std::size_t, fig::Drawn> by_index;
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (auto it = drawn_.find(key(layers[i])); it != drawn_.end()) by_index[i] = it->second;
  AtomicFile out(o_.html);
  out.stream() << fig::html_report(report, model_svgs, by_index);
  out.commit();
}

}  // namespace setol::cli
