// Checks shared by the input-format tests: a default analysis of a file, two analyses that
// must agree row by row, and a tensor that must equal its expected .npy bit for bit.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "setol/analyze.hpp"
#include "setol/model_reader.hpp"

namespace format_checks {

inline std::vector<setol::LayerRecord> analyze(const std::string& path) {
  auto m = setol::open_model(path);
  setol::AnalyzeOptions o;
  o.threads = 1;
  auto r = setol::plan_layers(*m, o);
  setol::analyze_layers(*m, r, o);
  return r;
}

// Same rows: status, N, M, and alpha, D, xmin, norm, lambda_max to 1e-12 relative. Rows are
// matched by name, or by position when the formats name layers differently.
inline void expect_same_rows(const std::vector<setol::LayerRecord>& a, const std::vector<setol::LayerRecord>& ref,
                             const std::string& what, bool by_position = false) {
  ASSERT_EQ(a.size(), ref.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const setol::LayerRecord* b = by_position ? &ref[i] : nullptr;
    for (const auto& x : ref)
      if (!b && x.name == a[i].name) b = &x;
    ASSERT_NE(b, nullptr) << what << ": no row named " << a[i].name;
    SCOPED_TRACE(what + ": " + a[i].name);
    EXPECT_EQ(a[i].status_text(), b->status_text());
    EXPECT_EQ(a[i].geometry.N, b->geometry.N);
    EXPECT_EQ(a[i].geometry.M, b->geometry.M);
    if (!a[i].has_metrics()) continue;
    auto rel = [](double x, double y) { return std::fabs(x - y) / std::max(std::fabs(y), 1e-300); };
    EXPECT_LE(rel(a[i].fit.alpha, b->fit.alpha), 1e-12);
    EXPECT_LE(rel(a[i].fit.D, b->fit.D), 1e-12);
    EXPECT_LE(rel(a[i].fit.xmin, b->fit.xmin), 1e-12);
    EXPECT_LE(rel(a[i].scale->norm, b->scale->norm), 1e-12);
    EXPECT_LE(rel(a[i].scale->lambda_max, b->scale->lambda_max), 1e-12);
  }
}

// Tensor i of the model equals the float32 array in `expected_npy`, element for element.
inline void expect_bit_exact(const setol::ModelReader& m, std::size_t i, const std::string& expected_npy) {
  const auto got = setol::to_f64(m.load(i));
  const auto want = setol::to_f64(setol::open_model(expected_npy)->load(0));
  EXPECT_EQ(got.size(), want.size()) << m.tensors()[i].name;
  EXPECT_EQ(fixtures::count_differences(got, want), 0u) << m.tensors()[i].name << " vs " << expected_npy;
}

}  // namespace format_checks
