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

// Scheduling (2 cores, 24 GiB in mind): a layer that fits in memory beside at least the
// smallest other one runs in a pool, one layer per thread, each with a single-threaded BLAS,
// longest first (LPT), while the working sets in flight stay within 1.25x the largest; a
// layer too big to share runs alone with all threads inside BLAS. So memory stays bounded by
// the largest layer and both cores are busy either way. Results do not depend on the order
// in which layers finish.
void run_jobs(const std::vector<Job>& jobs, int threads, const std::function<void(const Job&)>& run_job) {
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

}  // namespace setol::pipeline
