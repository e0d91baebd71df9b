#include <chrono>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <thread>

#include "pipeline/diagnostics.hpp"
#include "setol/analyze.hpp"
#include "setol/error.hpp"
#include "setol/spectrum.hpp"

namespace setol {
namespace {

// WeightWatcher's Conv2D rescaling (conv2d_norm, ww-spec §4.1): every slice is multiplied
// by sqrt(c/2) with c = 1 when pooled and c = kh*kw per slice, so pooled eigenvalues are
// halved and unpooled ones multiplied by kh*kw/2. Dense layers are not scaled.
double conv_scale(const LayerRecord& r) {
  const auto t = r.geometry.type;
  if (t != LayerType::Conv2D && t != LayerType::Conv1D) return 1.0;
  const double c = r.slice_id ? static_cast<double>(r.geometry.rf) : 1.0;
  return std::sqrt(c / 2.0);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void fill_metrics(LayerRecord& r, LayerSpectrum&& spec, const TailFitOptions& tail) {
  const auto t0 = std::chrono::steady_clock::now();
  r.evals = std::move(spec.evals);
  r.num_evals = static_cast<std::int64_t>(r.evals.size());
  r.sv_max = spec.sv_max;
  r.sv_min = spec.sv_min;
  r.rank_loss = spec.rank_loss;
  r.scale = scale_metrics(r.evals, r.geometry.N);
  r.entropies = spectral_entropies(r.evals);
  r.fit = fit_tail(r.evals, tail);
  // A failed fit keeps alpha = -1 and the derived columns follow WeightWatcher (quirk Q7).
  r.alpha_weighted = alpha_weighted(r.fit.alpha, r.scale->lambda_max);
  r.log_alpha_norm = log_alpha_norm(r.evals, r.fit.alpha);
  r.status = r.fit.ok ? LayerStatus::Success : LayerStatus::Failed;
  r.timings.fit = seconds_since(t0);
}

void analyze_one(const TensorData& t, LayerRecord& r, const AnalyzeOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto views = layer_matrices(t.info(), r.geometry, t.strides());
  const double scale = conv_scale(r);
  std::vector<MatrixView> used = views;
  if (r.slice_id) used = {views.at(static_cast<std::size_t>(*r.slice_id))};
  std::vector<SliceSpectrum> slices;
  for (const auto& v : used) slices.push_back(slice_eigenvalues(t, v, scale));
  LayerSpectrum spec = pool_slices(std::move(slices), r.geometry.N);
  r.timings.spectrum = seconds_since(t0);
  r.timings.svd_slices = spec.svd_slices;
  if (!spec.finite) {
    r.status = LayerStatus::Error;
    r.reason = "non-finite weights";
    return;
  }
  fill_metrics(r, std::move(spec), opt.tail);
  const auto t1 = std::chrono::steady_clock::now();
  pipeline::run_diagnostics(t, used, scale, r, opt);
  r.timings.diagnostics = seconds_since(t1);
}

}  // namespace

void analyze_layers(const ModelReader& model, std::vector<LayerRecord>& records, const AnalyzeOptions& opt,
                    const std::function<void(const LayerRecord&)>& on_done) {
  const int threads = opt.threads > 0 ? opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  set_blas_threads(threads);
  std::optional<TensorData> loaded;
  for (auto& r : records) {
    if (r.status == LayerStatus::Pending) {
      if (!loaded || loaded->info().source != model.tensors()[r.tensor_index].source ||
          loaded->info().name != model.tensors()[r.tensor_index].name) {
        const auto t0 = std::chrono::steady_clock::now();
        loaded.emplace(model.load(r.tensor_index));
        r.timings.load = seconds_since(t0);
      }
      try {
        analyze_one(*loaded, r, opt);
      } catch (const InputError&) {
        throw;
      } catch (const std::exception& e) {  // e.g. a LAPACK failure: report, keep going
        r.status = LayerStatus::Error;
        r.reason = e.what();
      }
    }
    if (on_done) on_done(r);
  }
}

Summary summarize(const std::vector<LayerRecord>& records) {
  Summary s;
  std::map<std::string, std::pair<double, int>> acc;
  auto add = [&](const char* k, double v) {
    if (std::isnan(v)) return;  // pandas mean skips NaN
    acc[k].first += v;
    acc[k].second += 1;
  };
  for (const auto& r : records) {
    ++s.layers;
    const std::string st = r.status_text();
    s.status_counts[st.substr(0, st.find(':'))] += 1;
    if (!r.has_metrics()) continue;
    const std::string w = r.warning();
    s.warning_counts[w.empty() ? "none" : w] += 1;
    add("log_norm", r.scale->log_norm);
    add("alpha", r.fit.alpha);
    add("alpha_weighted", r.alpha_weighted);
    add("log_alpha_norm", r.log_alpha_norm);
    add("log_spectral_norm", r.scale->log_spectral_norm);
    add("stable_rank", r.scale->stable_rank);
    if (r.mp) add("mp_softrank", r.mp->mp_softrank);
  }
  for (const auto& [k, v] : acc) s.means[k] = v.first / v.second;
  return s;
}

}  // namespace setol
