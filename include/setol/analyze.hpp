// The analysis pipeline: plan the layers of a model, compute each layer's ESD and
// metrics, and summarise. The CLI and the tests both drive it through these calls.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "setol/layer_record.hpp"
#include "setol/model_reader.hpp"
#include "setol/powerlaw.hpp"

namespace setol {

struct AnalyzeOptions {
  std::int64_t min_evals = 10;  // fewer eigenvalues: row with status "skipped" (0 disables)
  std::int64_t max_evals = 0;   // more eigenvalues: skipped (0 = no limit)
  std::int64_t max_n = 0;       // N larger than this: skipped (0 = no limit)
  bool pool = true;             // pool Conv2D slices into one ESD (WeightWatcher's default)
  int threads = 0;              // 0 = all cores
  std::vector<std::string> layers;  // layer ids or name globs; empty = every layer
  TailFitOptions tail;          // --fit, --fix-fingers and their parameters
  bool mp_fit = false;          // Marchenko-Pastur bulk fit (ww-spec §7.1)
  bool randomize = false;       // element-permuted ESD and its MP fit: correlation traps (§7.4)
  std::uint64_t seed = kDefaultSeed;  // seeds every permutation (per layer, slice and replica)
  bool detx = false;            // detX / ERG condition (§8); also adds the ERG/ECS columns
  bool setol = false;           // SETOL ERG/ECS measures and experimental layer qualities (theory.md A)
  bool htmp = false;            // HTMP kappa fit (theory.md B)
  bool single_precision = false;  // --precision f32: Gram and eigensolve in float32 (faster, approximate)

  static constexpr std::uint64_t kDefaultSeed = 20240910;
};

// One record per weight layer (per slice with pool = false), in model order, with the
// size filters applied (status Skipped). Reads no tensor data.
std::vector<LayerRecord> plan_layers(const ModelReader& model, const AnalyzeOptions& opt);

// Loads the layer's tensor and fills the record. A layer whose weights are not finite
// gets status Error; a failed fit gets status Failed. Throws InputError only when the
// file itself cannot be read.
void analyze_layers(const ModelReader& model, std::vector<LayerRecord>& records, const AnalyzeOptions& opt,
                    const std::function<void(const LayerRecord&)>& on_done = {});

struct Summary {
  std::map<std::string, double> means;               // WeightWatcher get_summary() (ww-spec §9), + mp_softrank with --mp-fit
  std::map<std::string, std::int64_t> status_counts; // by status kind: success, failed, skipped, error
  std::map<std::string, std::int64_t> warning_counts;  // over-trained, under-trained, none
  std::int64_t layers = 0;
};

Summary summarize(const std::vector<LayerRecord>& records);

}  // namespace setol
