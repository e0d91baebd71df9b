// The pipeline end to end on real corpus weights: the same model in safetensors, Keras
// HDF5 and .npy gives the same numbers; size filters produce status rows; --no-pool
// scaling; non-finite weights; layer selection.
#include <gtest/gtest.h>

#include <cmath>

#include "fixtures.hpp"
#include "setol/analyze.hpp"
#include "setol/summary.hpp"

using namespace setol;

namespace {

std::vector<LayerRecord> run(const std::string& path, AnalyzeOptions opt = {}) {
  auto m = open_model(path);
  auto recs = plan_layers(*m, opt);
  analyze_layers(*m, recs, opt);
  return recs;
}

std::string corpus(const std::string& rel) { return fixtures::data_dir() + "/corpus/" + rel; }

void expect_same_numbers(const std::vector<LayerRecord>& a, const std::vector<LayerRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(a[i].name + " vs " + b[i].name);
    EXPECT_EQ(a[i].status_text(), b[i].status_text());
    EXPECT_EQ(a[i].geometry.N, b[i].geometry.N);
    EXPECT_EQ(a[i].geometry.M, b[i].geometry.M);
    if (!a[i].has_metrics()) continue;
    ASSERT_EQ(a[i].evals.size(), b[i].evals.size());
    for (std::size_t k = 0; k < a[i].evals.size(); ++k)
      EXPECT_NEAR(a[i].evals[k], b[i].evals[k], 1e-12 * a[i].evals.back());
    EXPECT_EQ(a[i].fit.xmin == b[i].fit.xmin || std::fabs(a[i].fit.xmin - b[i].fit.xmin) < 1e-12 * a[i].fit.xmin, true);
    EXPECT_NEAR(a[i].fit.alpha, b[i].fit.alpha, 1e-10 * std::fabs(a[i].fit.alpha));
    EXPECT_NEAR(a[i].scale->norm, b[i].scale->norm, 1e-12 * a[i].scale->norm);
  }
}

}  // namespace

TEST(Pipeline, SafetensorsH5AndNpyAgree) {
  for (const std::string m : {"mlp3-mnist10k-bs32-lr0.01", "gnubg-nets-1.07"}) {
    const auto st = run(corpus(m + "/model.safetensors"));
    const auto h5 = run(corpus(m + "/model.h5"));
    const auto npy = run(corpus(m + "/npy"));
    // The npy folder is in natural file order; compare by safetensors names.
    std::vector<LayerRecord> npy_sorted;
    for (const auto& r : st)
      for (const auto& q : npy)
        if (q.name == r.name) npy_sorted.push_back(q);
    expect_same_numbers(st, h5);
    expect_same_numbers(st, npy_sorted);
  }
  expect_same_numbers(run(corpus("cnn-fashion-bs64-lr0.01/model.safetensors")),
                      run(corpus("cnn-fashion-bs64-lr0.01/model.h5")));
}

TEST(Pipeline, SmallLayersAreStatusRowsNotDropped) {
  const auto recs = run(corpus("cnn-fashion-bs64-lr0.01/model.safetensors"));
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].name, "conv1.weight");
  EXPECT_EQ(recs[0].status, LayerStatus::Skipped);
  EXPECT_EQ(recs[0].status_text(), "skipped: too few eigenvalues (M*rf = 1*9 = 9 < min_evals 10)");
  EXPECT_EQ(recs[3].status, LayerStatus::Success);  // fc2: M = 10, exactly min_evals
  AnalyzeOptions all;
  all.min_evals = 0;
  EXPECT_EQ(run(corpus("cnn-fashion-bs64-lr0.01/model.safetensors"), all)[0].status, LayerStatus::Success);
  AnalyzeOptions small;
  small.max_n = 500;
  small.max_evals = 200;
  const auto r2 = run(corpus("cnn-fashion-bs64-lr0.01/model.safetensors"), small);
  EXPECT_EQ(r2[1].status_text(), "skipped: too many eigenvalues (M*rf = 32*9 = 288 > max_evals 200)");
  EXPECT_EQ(r2[2].status_text(), "skipped: N = 3136 > max_n 500");
}

TEST(Pipeline, UnpooledSlicesAreScaledByRfOverTwo) {
  AnalyzeOptions opt;
  opt.pool = false;
  const auto sliced = run(corpus("cnn-fashion-bs64-lr0.01/model.safetensors"), opt);
  const auto pooled = run(corpus("cnn-fashion-bs64-lr0.01/model.safetensors"));
  std::vector<double> joined;
  int slices = 0;
  for (const auto& r : sliced) {
    if (r.name != "conv2.weight") continue;
    ++slices;
    for (double e : r.evals) joined.push_back(e / 9.0);  // x kh*kw/2 unpooled vs x 1/2 pooled
  }
  EXPECT_EQ(slices, 9);
  std::sort(joined.begin(), joined.end());
  const auto& p = pooled[1].evals;
  ASSERT_EQ(joined.size(), p.size());
  for (std::size_t k = 0; k < p.size(); ++k) EXPECT_NEAR(joined[k], p[k], 1e-6 * p.back());
}

TEST(Pipeline, NonFiniteWeightsAreAnErrorRowAndTheRunContinues) {
  fixtures::TempDir dir;
  auto v = fixtures::iota_values(30 * 20, 0.1, 0.01);
  fixtures::write_bytes(dir / "a.npy", fixtures::npy_image({30, 20}, v));
  v[5] = std::nan("");
  fixtures::write_bytes(dir / "b.npy", fixtures::npy_image({30, 20}, v));
  const auto recs = run(dir.path().string());
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_TRUE(recs[0].has_metrics());
  EXPECT_EQ(recs[1].status_text(), "error: non-finite weights");
  const auto s = summarize(recs, analyze_columns(AnalyzeOptions{}, false));
  EXPECT_EQ(s.counts_of("status").at("error"), 1);
  EXPECT_EQ(s.counts_of("status").at("success"), 1);
}

TEST(Pipeline, LayerSelectionByIdAndGlob) {
  AnalyzeOptions opt;
  opt.layers = {"fc*"};
  EXPECT_EQ(run(corpus("cnn-fashion-bs64-lr0.01/model.safetensors"), opt).size(), 2u);
  opt.layers = {"1"};
  const auto r = run(corpus("cnn-fashion-bs64-lr0.01/model.safetensors"), opt);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].name, "conv2.weight");
}
