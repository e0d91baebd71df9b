// The layer scheduler: which layers run at once, on how many threads (internal).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "setol/analyze.hpp"

namespace setol::pipeline {

// One unit of work: every record of one tensor (one record, or kh*kw slices unpooled),
// loaded once.
struct Job {
  std::size_t model = 0;  // which input (runs with several inputs)
  std::vector<std::size_t> records;
  std::size_t tensor = 0;
  std::int64_t bytes = 0;  // working set: the tensor as stored + the double Gram (+ panel, + permuted copy)
  double cost = 0;         // flops of the Gram and the eigensolve, m^2 n + m^3, for ordering
};

// The jobs of the records still pending, in model order, tagged with `model_index`.
std::vector<Job> make_jobs(const ModelReader& model, const std::vector<LayerRecord>& records,
                           const AnalyzeOptions& opt, std::size_t model_index = 0);

// Runs every job once on `threads` threads, keeping the working sets in flight within
// `budget` bytes (a job over it is passed to run_job first, to report it skipped; see
// scheduler.cpp for the policy). `only_job`:
// the run (all shards or ranks together) has this one job. An exception from a job stops the
// others from starting and is rethrown.
void run_jobs(const std::vector<Job>& jobs, int threads, std::int64_t budget, bool only_job,
              const std::function<void(const Job&)>& run_job);

}  // namespace setol::pipeline
