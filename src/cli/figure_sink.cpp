#include "cli/figure_sink.hpp"

#include "setol/error.hpp"
#include "setol/report.hpp"

namespace setol::cli {

FigureSink::FigureSink(FigureOptions o, std::vector<std::string> inputs) : o_(std::move(o)), inputs_(std::move(inputs)) {
  for (std::size_t k = 0; !o_.dir.empty() && k < (inputs_.size() > 1 ? inputs_.size() : 1); ++k) {
    std::error_code ec;
    std::filesystem::create_directories(folder(inputs_.size() > 1 ? inputs_[k] : ""), ec);
    if (ec) throw InputError(o_.dir, "cannot create --plot folder: " + ec.message());
  }
  if (o_.active()) thread_ = std::thread([this] { drain(); });
}

FigureSink::~FigureSink() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
    queue_.clear();  // an error ended the run: nothing more to draw
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FigureSink::drain() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      if (!failure_) draw(job);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mutex_);
      failure_ = std::current_exception();
    }
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

void FigureSink::layer(nlohmann::ordered_json row, std::vector<double> evals, std::vector<double> rand_evals) {
  if (!o_.active()) return;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back({std::move(row), std::move(evals), std::move(rand_evals)});
  }
  wake_.notify_one();
}

void FigureSink::draw(const Job& job) {
  const fig::LayerData d = fig::layer_data(job.row, job.evals, job.rand_evals);
  auto drawn = fig::write_figures(fig::layer_figures(d), folder(job.row.value("model", std::string())),
                                  fig::layer_stem(d), o_.kinds);
  if (o_.html.empty()) return;
  const std::lock_guard<std::mutex> lock(mutex_);
  drawn_[key(job.row)] = std::move(drawn);
}

void FigureSink::finish(const nlohmann::ordered_json& report) {
  if (!o_.active()) return;
  {  // let the drawing thread empty the queue, then stop it
    const std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (failure_) std::rethrow_exception(failure_);
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
