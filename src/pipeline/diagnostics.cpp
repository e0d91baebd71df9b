#include "pipeline/diagnostics.hpp"

#include <algorithm>

#include "setol/spectrum.hpp"

namespace setol::pipeline {
namespace {

std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Eigenvalues of `replicas` independent permutations of every matrix, pooled and sorted.
std::vector<double> permuted_esd(const TensorData& t, const std::vector<MatrixView>& views, double scale,
                                 const LayerRecord& r, const AnalyzeOptions& opt, int replicas, RandomStream stream) {
  std::vector<double> all;
  for (int rep = 0; rep < replicas; ++rep) {
    for (std::size_t k = 0; k < views.size(); ++k) {
      const int slice = r.slice_id ? *r.slice_id : static_cast<int>(k);
      const auto e = permuted_eigenvalues(t, views[k], scale, stream_seed(opt.seed, r.layer_id, slice, rep, stream));
      all.insert(all.end(), e.begin(), e.end());
    }
  }
  std::sort(all.begin(), all.end());
  return all;
}

}  // namespace

std::uint64_t stream_seed(std::uint64_t seed, int layer_id, int slice, int replica, RandomStream stream) {
  std::uint64_t h = mix(seed);
  for (std::uint64_t v : {static_cast<std::uint64_t>(layer_id), static_cast<std::uint64_t>(slice),
                          static_cast<std::uint64_t>(replica), static_cast<std::uint64_t>(stream)})
    h = mix(h ^ v);
  return h;
}

void run_diagnostics(const TensorData& t, const std::vector<MatrixView>& views, double scale, LayerRecord& r,
                     const AnalyzeOptions& opt) {
  const double Q = r.Q();
  const std::int64_t M = r.geometry.M;
  if (opt.mp_fit) r.mp = fit_marchenko_pastur(r.evals, Q, M);
  if (opt.randomize) {
    // As WeightWatcher.apply_random_esd: 5 pooled replicas when the layer has fewer than 100 eigenvalues.
    const int replicas = r.num_evals < 100 ? 5 : 1;
    LayerRecord::Randomized rd;
    rd.evals = permuted_esd(t, views, scale, r, opt, replicas, RandomStream::Permutation);
    rd.max_rand_eval = rd.evals.back();
    // WeightWatcher draws one more permutation for the distance; with a single replica the
    // first draw is an equally distributed sample and is reused (one eigensolve instead of two).
    const auto single = replicas == 1 ? rd.evals : permuted_esd(t, views, scale, r, opt, 1, RandomStream::DistancePermutation);
    rd.rand_distance = jensen_shannon_distance(r.evals, single);
    rd.ww_softrank = single.back() / r.evals.back();
    rd.ww_maxdist = r.evals.back() - single.back();
    rd.mp = fit_marchenko_pastur(rd.evals, Q, M);
    r.randomized = std::move(rd);
  }
  if (opt.detx || opt.setol) {
    r.detx = detx_condition(r.evals);
    r.ecs = ecs_measures(r.evals, r.fit, *r.detx);
  }
  if (opt.htmp) {
    const int slice = r.slice_id ? *r.slice_id : -1;
    r.htmp = htmp::fit(r.evals, 1.0 / Q, stream_seed(opt.seed, r.layer_id, slice, 0, RandomStream::HtmpBootstrap));
  }
}

}  // namespace setol::pipeline
