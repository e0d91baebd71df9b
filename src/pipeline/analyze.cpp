#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
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
  for (const auto& v : used)
    slices.push_back(opt.single_precision ? slice_eigenvalues_f32(t, v, scale) : slice_eigenvalues(t, v, scale));
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

// One unit of work: every record of one tensor (one record, or kh*kw slices unpooled),
// loaded once.
struct Job {
  std::vector<std::size_t> records;
  std::size_t tensor = 0;
  std::int64_t bytes = 0;  // working set: the tensor as stored + the double Gram (+ panel, + permuted copy)
  double cost = 0;         // flops of the Gram and the eigensolve, m^2 n + m^3, for ordering
};

std::vector<Job> make_jobs(const ModelReader& model, const std::vector<LayerRecord>& records,
                           const AnalyzeOptions& opt) {
  std::vector<Job> jobs;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.status != LayerStatus::Pending) continue;
    if (jobs.empty() || jobs.back().tensor != r.tensor_index) {
      const TensorInfo& t = model.tensors()[r.tensor_index];
      const std::int64_t m = r.geometry.M, n = r.geometry.N;
      Job j;
      j.tensor = r.tensor_index;
      j.bytes = t.numel() * static_cast<std::int64_t>(dtype_size(t.dtype)) + 8 * m * m +
                std::min<std::int64_t>(8 * m * n, 16 << 20) + (opt.randomize ? 4 * m * n : 0);
      jobs.push_back(j);
    }
    const double m = static_cast<double>(r.geometry.M), n = static_cast<double>(r.geometry.N);
    jobs.back().cost += (m * m * n + m * m * m) * static_cast<double>(r.slice_id ? 1 : r.geometry.rf);
    jobs.back().records.push_back(i);
  }
  return jobs;
}

}  // namespace

// Scheduling (2 cores, 24 GiB in mind): a layer that fits in memory beside at least the
// smallest other one runs in a pool, one layer per thread, each with a single-threaded BLAS,
// longest first (LPT), while the working sets in flight stay within 1.25x the largest; a
// layer too big to share runs alone with all threads inside BLAS. So memory stays bounded by
// the largest layer and both cores are busy either way. Results do not depend on the order
// in which layers finish.
void analyze_layers(const ModelReader& model, std::vector<LayerRecord>& records, const AnalyzeOptions& opt,
                    const std::function<void(const LayerRecord&)>& on_done) {
  const int threads = opt.threads > 0 ? opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::mutex done_mutex;
  auto report = [&](const LayerRecord& r) {
    if (!on_done) return;
    const std::lock_guard<std::mutex> lock(done_mutex);
    on_done(r);
  };
  for (const auto& r : records)
    if (r.status != LayerStatus::Pending) report(r);  // skipped rows: nothing to compute

  auto run_job = [&](const Job& job) {
    const auto t0 = std::chrono::steady_clock::now();
    const TensorData t = model.load(job.tensor);
    const double load = seconds_since(t0);
    for (std::size_t k = 0; k < job.records.size(); ++k) {
      LayerRecord& r = records[job.records[k]];
      if (k == 0) r.timings.load = load;
      try {
        analyze_one(t, r, opt);
      } catch (const InputError&) {
        throw;
      } catch (const std::exception& e) {  // e.g. a LAPACK failure: report, keep going
        r.status = LayerStatus::Error;
        r.reason = e.what();
      }
      report(r);
    }
  };

  std::vector<Job> jobs = make_jobs(model, records, opt);
  std::int64_t largest = 0;
  for (const auto& j : jobs) largest = std::max(largest, j.bytes);
  const std::int64_t budget = largest + largest / 4;
  std::int64_t smallest = largest;
  for (const auto& j : jobs) smallest = std::min(smallest, j.bytes);
  std::vector<const Job*> shared, solo;
  for (const auto& j : jobs)
    (threads > 1 && jobs.size() > 1 && j.bytes + smallest <= budget ? shared : solo).push_back(&j);
  std::stable_sort(shared.begin(), shared.end(), [](const Job* a, const Job* b) { return a->cost > b->cost; });

  if (!shared.empty()) {
    set_blas_threads(1);
    std::mutex m;
    std::condition_variable cv;
    std::size_t next = 0;
    std::int64_t in_flight = 0;
    std::exception_ptr failure;
    auto worker = [&] {
      for (;;) {
        const Job* job = nullptr;
        {
          std::unique_lock<std::mutex> lock(m);
          cv.wait(lock, [&] {
            return failure || next >= shared.size() || in_flight == 0 || in_flight + shared[next]->bytes <= budget;
          });
          if (failure || next >= shared.size()) return;
          job = shared[next++];
          in_flight += job->bytes;
        }
        try {
          run_job(*job);
        } catch (...) {
          const std::lock_guard<std::mutex> lock(m);
          if (!failure) failure = std::current_exception();
        }
        {
          const std::lock_guard<std::mutex> lock(m);
          in_flight -= job->bytes;
        }
        cv.notify_all();
      }
    };
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
    for (auto& th : pool) th.join();
    if (failure) std::rethrow_exception(failure);
  }
  set_blas_threads(threads);
  for (const Job* job : solo) run_job(*job);
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
