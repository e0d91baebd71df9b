#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <exception>
#include <mutex>
#include <new>
#include <optional>
#include <thread>
#include <stdexcept>

#include "pipeline/diagnostics.hpp"
#include "pipeline/scheduler.hpp"
#include "setol/analyze.hpp"
#include "setol/error.hpp"
#include "setol/spectrum.hpp"

namespace setol {
namespace {

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
  // A failed fit keeps alpha = -1 and the derived columns follow WeightWatcher.fit_powerlaw and get_summary.
  r.alpha_weighted = alpha_weighted(r.fit.alpha, r.scale->lambda_max);
  r.log_alpha_norm = log_alpha_norm(r.evals, r.fit.alpha);
  r.status = r.fit.ok ? LayerStatus::Success : LayerStatus::Failed;
  r.timings.fit = seconds_since(t0);
}

void analyze_one(const TensorData& t, LayerRecord& r, const AnalyzeOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto views = layer_matrices(t.info(), r.geometry, t.strides());
  const double scale = r.geometry.conv_scale(!r.slice_id);
  std::vector<MatrixView> used = views;
  if (r.slice_id) used = {views.at(static_cast<std::size_t>(*r.slice_id))};
  std::vector<SliceSpectrum> slices;
  if (const LowRankFactors* f = t.low_rank(); f && !r.geometry.is_conv()) {
    slices.push_back(low_rank_eigenvalues(*f));  // a LoRA product: rank-r eigenvalues from its factors
  } else {
    for (const auto& v : used)
      slices.push_back(opt.precision == Precision::F32 ? slice_eigenvalues_f32(t, v, scale) : slice_eigenvalues(t, v, scale));
  }
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

// The per-layer recipe: load the tensor once, then for each of its rows the spectrum, the
// fit and the diagnostics. Where and when each layer runs is the scheduler's business.
// `contain`: a file that cannot be read marks its model's rows instead of ending the run.
// "2.61 GiB", "3.4 MiB".
std::string size_text(std::int64_t bytes) {
  char b[32];
  const double v = static_cast<double>(bytes);
  if (v >= 1073741824.0) std::snprintf(b, sizeof b, "%.2f GiB", v / 1073741824.0);
  else std::snprintf(b, sizeof b, "%.1f MiB", v / 1048576.0);
  return b;
}

void run_models(std::vector<ModelWork>& work, const AnalyzeOptions& opt,
                const std::function<void(const LayerRecord&)>& on_done, bool contain,
                const std::function<void(const LayerRecord&)>& on_start, UnitDispatcher* dispatcher) {
  std::mutex done_mutex;
  auto report = [&](const LayerRecord& r) {
    if (!on_done) return;
    const std::lock_guard<std::mutex> lock(done_mutex);
    on_done(r);
  };
  std::vector<pipeline::Job> jobs;
  for (std::size_t m = 0; m < work.size(); ++m) {
    for (const auto& r : *work[m].records)
      if (r.status != LayerStatus::Pending) report(r);  // skipped rows: nothing to compute
    auto more = pipeline::make_jobs(*work[m].model, *work[m].records, opt, m);
    jobs.insert(jobs.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  }
  const std::int64_t budget = memory_budget(opt);

  auto run_job = [&](const pipeline::Job& job) {
    ModelWork& w = work[job.model];
    std::vector<LayerRecord>& records = *w.records;
    if (job.bytes > budget) {  // would not fit even alone: a row that says so, never an OOM kill
      for (const std::size_t i : job.records) {
        records[i].status = LayerStatus::Skipped;
        records[i].reason = "needs " + size_text(job.bytes) + ", budget " + size_text(budget);
        report(records[i]);
      }
      return;
    }
    if (on_start) on_start(records[job.records.front()]);
    const auto t0 = std::chrono::steady_clock::now();
    std::optional<TensorData> t;
    try {
      try {
        t.emplace(w.model->load(job.tensor));
      } catch (const std::bad_alloc&) {
        const TensorInfo& info = w.model->tensors().at(job.tensor);
        throw InputError(info.source, "needs " + size_text(job.bytes) + " to read tensor '" + info.name +
                                          "': out of memory");
      }
    } catch (const InputError& e) {
      if (!contain) throw;
      const std::lock_guard<std::mutex> lock(done_mutex);
      if (w.error.empty()) w.error = e.what();
      for (const std::size_t i : job.records) {
        records[i].status = LayerStatus::Error;
        records[i].reason = e.what();
        if (on_done) on_done(records[i]);
      }
      return;
    }
    const double load = seconds_since(t0);
    for (std::size_t k = 0; k < job.records.size(); ++k) {
      LayerRecord& r = records[job.records[k]];
      if (k == 0) r.timings.load = load;
      try {
        analyze_one(*t, r, opt);
      } catch (const InputError&) {
        throw;
      } catch (const std::bad_alloc&) {
        r.status = LayerStatus::Error;
        r.reason = "out of memory (the layer needs " + size_text(job.bytes) + ")";
      } catch (const std::exception& e) {  // e.g. a LAPACK failure: report, keep going
        r.status = LayerStatus::Error;
        r.reason = e.what();
      }
      report(r);
      if (w.release_evals) {
        std::vector<double>().swap(r.evals);
        if (r.randomized) std::vector<double>().swap(r.randomized->evals);
      }
    }
  };
  const int threads = opt.threads > 0 ? opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (dispatcher) {
    std::vector<double> costs;
    for (const auto& j : jobs) costs.push_back(j.cost);
    set_blas_threads(threads);
    dispatcher->run(costs, [&](std::size_t i) { run_job(jobs.at(i)); });
    return;
  }
  const std::size_t units = opt.run_units ? opt.run_units : jobs.size();
  pipeline::run_jobs(jobs, threads, budget, units == 1, run_job);
}

}  // namespace

void analyze_layers(const ModelReader& model, std::vector<LayerRecord>& records, const AnalyzeOptions& opt,
                    const std::function<void(const LayerRecord&)>& on_done) {
  std::vector<ModelWork> work = {{&model, &records, {}}};
  run_models(work, opt, on_done, false, {}, nullptr);
}

void analyze_models(std::vector<ModelWork>& work, const AnalyzeOptions& opt,
                    const std::function<void(const LayerRecord&)>& on_done, bool contain_read_errors,
                    const std::function<void(const LayerRecord&)>& on_start, UnitDispatcher* dispatcher) {
  run_models(work, opt, on_done, contain_read_errors, on_start, dispatcher);
}

}  // namespace setol
