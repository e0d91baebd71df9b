// The analysis pipeline: plan the layers of a model, compute each layer's ESD and
// metrics, and summarise. The CLI and the tests both drive it through these calls.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "setol/layer_record.hpp"
#include "setol/model_reader.hpp"
#include "setol/options.hpp"
#include "setol/powerlaw.hpp"

namespace setol {

enum class Precision { F64, F32 };
inline constexpr EnumNames<Precision, 2> kPrecisionNames{{{Precision::F64, "f64"}, {Precision::F32, "f32"}}};

// What to compute. Each field is declared as a command-line option, with its help text and
// report key, in src/pipeline/options.cpp (analyze_option_specs()).
struct AnalyzeOptions {
  std::int64_t min_evals = 10;  // fewer eigenvalues: row with status "skipped" (0 disables)
  std::int64_t max_evals = 0;   // more eigenvalues: skipped (0 = no limit)
  std::int64_t max_n = 0;       // N larger than this: skipped (0 = no limit)
  bool pool = true;             // pool Conv2D slices into one ESD (WeightWatcher's default)
  int threads = 0;              // 0 = all cores
  std::string max_memory;       // budget of the layers in flight ("8G"); empty = a share of available RAM
  std::vector<std::string> layers;  // layer ids or name globs; empty = every layer
  TailFitOptions tail;          // --fit, --fix-fingers and their parameters
  bool mp_fit = false;          // Marchenko-Pastur bulk fit (WeightWatcher.apply_mp_fit)
  bool randomize = false;       // element-permuted ESD and its MP fit: correlation traps (WeightWatcher.apply_random_esd)
  std::uint64_t seed = kDefaultSeed;  // seeds every permutation (per layer, slice and replica)
  bool detx = false;            // detX / ERG condition (WeightWatcher.apply_detX); also adds the ERG/ECS columns
  bool setol = false;           // SETOL ERG/ECS measures and experimental layer qualities (SETOL Sec. 3, 5.5)
  bool htmp = false;            // HTMP kappa fit (docs/metrics.md, "HTMP kappa")
  Precision precision = Precision::F64;  // F32: Gram and eigensolve in float32 (faster, approximate)

  // Not an option: the units of work (tensors) of the whole run when this process computes
  // only a part of it (--shard, MPI); 0 = the whole run is here. The scheduler gives every
  // BLAS thread to a run's only unit, and must make the same choice in every part.
  std::size_t run_units = 0;

  static constexpr std::uint64_t kDefaultSeed = 20240910;
};

// --max-memory: the bytes that the working sets of the layers in flight may take; when the
// option is empty, 3/4 of the memory the kernel reports available (MemAvailable). A layer
// that does not fit alone is skipped with "needs N GiB, budget M GiB".
std::int64_t memory_budget(const AnalyzeOptions& opt);
// "512M", "8G", "1.5T", "1000000" (bytes; suffixes K, M, G, T in powers of 1024, optional
// "iB"/"B"). Throws UsageError naming `what` when the text is not a positive size.
std::int64_t parse_size(const std::string& text, const std::string& what);

// One record per weight layer (per slice with pool = false), in model order, with the
// size filters applied (status Skipped). Reads no tensor data.
std::vector<LayerRecord> plan_layers(const ModelReader& model, const AnalyzeOptions& opt);

// Loads the layer's tensor and fills the record. A layer whose weights are not finite
// gets status Error; a failed fit gets status Failed. Throws InputError only when the
// file itself cannot be read.
void analyze_layers(const ModelReader& model, std::vector<LayerRecord>& records, const AnalyzeOptions& opt,
                    const std::function<void(const LayerRecord&)>& on_done = {});

// Several models at once (a batch of checkpoints): their layers are scheduled together, so
// both cores stay busy and memory is bounded by the largest layer, not by the number of
// models. With `contain_read_errors`, a model whose file cannot be read mid-run gets `error`
// (its unfinished rows status Error) and the others go on; otherwise the InputError ends the run.
struct ModelWork {
  const ModelReader* model = nullptr;
  std::vector<LayerRecord>* records = nullptr;
  std::string error;  // set when reading the file failed
  // Drop each record's eigenvalues once on_done has seen them: a batch keeps only the rows, so
  // its memory does not grow with the number of layers times the number of models.
  bool release_evals = false;
};

// Shares the units of work of a run (a tensor's layers: what the scheduler runs) among
// several processes (MPI). run() gets every unit's estimated cost, in the same order in every
// process, computes some units here through `run_unit` (which reports their rows through
// on_done as usual) and returns when every unit has been computed somewhere.
class UnitDispatcher {
 public:
  virtual ~UnitDispatcher() = default;
  virtual void run(const std::vector<double>& costs, const std::function<void(std::size_t)>& run_unit) = 0;
};

// `on_start` (if given) is called, from the worker, as a layer's computation begins. With a
// `dispatcher`, only the units it hands to this process are computed here.
void analyze_models(std::vector<ModelWork>& work, const AnalyzeOptions& opt,
                    const std::function<void(const LayerRecord&)>& on_done = {}, bool contain_read_errors = true,
                    const std::function<void(const LayerRecord&)>& on_start = {},
                    UnitDispatcher* dispatcher = nullptr);

// --shard K/N: keeps in each input's records only those of shard k (1-based) of n. Units of
// work are dealt longest first (estimated flops, LPT) to the least-loaded shard, ties to the
// lowest, over all inputs together, so every process given the same inputs and options
// computes the same split; rows with nothing to compute (skipped by the plan) go to shard 1.
// Returns the number of units of the whole run (AnalyzeOptions::run_units).
std::size_t keep_shard(std::vector<ModelWork>& work, const AnalyzeOptions& opt, int k, int n);

}  // namespace setol
