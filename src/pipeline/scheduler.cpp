#include "pipeline/scheduler.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "setol/spectrum.hpp"

namespace setol::pipeline {

std::vector<Job> make_jobs(const ModelReader& model, const std::vector<LayerRecord>& records,
                           const AnalyzeOptions& opt, std::size_t model_index) {
  std::vector<Job> jobs;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.status != LayerStatus::Pending) continue;
    if (jobs.empty() || jobs.back().tensor != r.tensor_index) {
      const TensorInfo& t = model.tensors()[r.tensor_index];
      const std::int64_t m = r.geometry.M, n = r.geometry.N;
      Job j;
      j.model = model_index;
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

// Scheduling under a memory budget. A job over the budget even alone is handed to run_job at
// once (which reports its rows skipped, computing nothing). The others are taken longest first (LPT); a free thread takes the first job, in that
// order, whose working set fits beside those in flight, so several big layers run at once
// whenever the budget admits them, each on one core with a single-threaded BLAS (one layer
// per core keeps both cores busy through the whole eigensolve, which a multi-threaded
// dsyevd does not). A job that cannot run beside a copy of itself, or the only job of a
// run, runs alone with every thread inside BLAS.
// A multi-threaded OpenBLAS sums in another order than a single-threaded one, so the last bits
// of a layer's eigenvalues depend on its BLAS threads. The choice above depends only on the
// job, the budget and `threads`, never on which other jobs this process has, so a run split
// into shards or MPI ranks computes every layer exactly as a single run does. Results do not
// depend on the order in which layers finish.
void run_jobs(const std::vector<Job>& jobs, int threads, std::int64_t budget, bool only_job,
              const std::function<void(const Job&)>& run_job) {
  std::vector<const Job*> shared, solo;
  for (const auto& j : jobs) {
    if (j.bytes > budget)
      run_job(j);
    else
      (threads > 1 && !only_job && j.bytes <= budget / 2 ? shared : solo).push_back(&j);
  }
  std::stable_sort(shared.begin(), shared.end(), [](const Job* a, const Job* b) { return a->cost > b->cost; });

  if (!shared.empty()) {
    set_blas_threads(1);
    std::mutex m;
    std::condition_variable cv;
    std::vector<bool> taken(shared.size(), false);
    std::size_t left = shared.size();
    std::int64_t in_flight = 0;
    std::exception_ptr failure;
    // The first job not yet taken that fits beside those in flight, or shared.size().
    auto pick = [&] {
      for (std::size_t i = 0; i < shared.size(); ++i)
        if (!taken[i] && (in_flight == 0 || in_flight + shared[i]->bytes <= budget)) return i;
      return shared.size();
    };
    auto worker = [&] {
      for (;;) {
        const Job* job = nullptr;
        {
          std::unique_lock<std::mutex> lock(m);
          std::size_t i = shared.size();
          cv.wait(lock, [&] { return failure || left == 0 || (i = pick()) < shared.size(); });
          if (failure || left == 0) return;
          taken[i] = true;
          --left;
          job = shared[i];
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

}  // namespace setol::pipeline
