// setol compare: a model against itself (every delta exactly 0, CKA exactly 1), against
// W + u v^T (closed forms for delta_W and the difference's one non-zero eigenvalue; CKA
// computed here by its definition), across storage layouts, and unmatched layers.
#include <gtest/gtest.h>

#include <cmath>

#include "fixtures.hpp"
#include "setol/compare.hpp"
#include "setol/report.hpp"

using namespace setol;

namespace {

std::string corpus(const std::string& rel) { return fixtures::data_dir() + "/corpus/" + rel; }

std::vector<double> matrix(int rows, int cols, double phase) {
  std::vector<double> v;
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) v.push_back(std::sin(phase + 0.7 * i + 1.3 * j * j) / (1 + 0.05 * i));
  return v;
}

Comparison run(const std::string& a, const std::string& b, AnalyzeOptions opt = {}) {
  const auto base = open_model(a), other = open_model(b);
  return compare_models(*base, *other, opt);
}

}  // namespace

TEST(Compare, AModelAgainstItselfHasZeroDeltasAndCkaOne) {
  AnalyzeOptions opt;
  opt.mp_fit = true;
  const std::string m = corpus("mlp3-mnist10k-bs32-lr0.01/model.safetensors");
  const Comparison c = run(m, m, opt);
  const auto cols = compare_columns(opt, false);
  ASSERT_EQ(c.rows.size(), 3u);
  for (const auto& row : c.rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(row.status, "success");
    int deltas = 0;
    for (const auto& col : cols) {
      if (col.name.rfind("delta_", 0) != 0) continue;
      EXPECT_EQ(cell_number(col.get(row)), 0.0) << col.name;
      ++deltas;
    }
    EXPECT_GT(deltas, 20);
    ASSERT_TRUE(row.distances);
    EXPECT_EQ(row.distances->cka, 1.0);
    EXPECT_EQ(row.distances->euclidean, 0.0);
    // W - W = 0: every eigenvalue 0, the fit fails as WeightWatcher's (alpha -1).
    ASSERT_NE(row.delta, nullptr);
    EXPECT_EQ(row.delta->fit.alpha, -1);
    EXPECT_EQ(*std::max_element(row.delta->evals.begin(), row.delta->evals.end()), 0.0);
  }
}

TEST(Compare, RankOneUpdateMatchesClosedForms) {
  fixtures::TempDir dir;
  const int rows = 40, cols = 30;
  const std::vector<double> w = matrix(rows, cols, 0.1);
  std::vector<double> u(rows), v(cols), w2 = w;
  for (int i = 0; i < rows; ++i) u[i] = 0.1 * std::cos(i);
  for (int j = 0; j < cols; ++j) v[j] = 0.2 + 0.01 * j;
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) w2[i * cols + j] += u[i] * v[j];
  fixtures::write_bytes(dir / "a.safetensors", fixtures::safetensors_image({{"l.weight", "F64", {rows, cols}, w},
                                                                            {"only_a.weight", "F64", {20, 20}, matrix(20, 20, 2)},
                                                                            {"bad.weight", "F64", {20, 12}, matrix(20, 12, 3)}}));
  fixtures::write_bytes(dir / "b.safetensors", fixtures::safetensors_image({{"l.weight", "F64", {rows, cols}, w2},
                                                                            {"bad.weight", "F64", {20, 14}, matrix(20, 14, 3)},
                                                                            {"only_b.weight", "F64", {20, 20}, matrix(20, 20, 4)}}));
  const Comparison c = run((dir / "a.safetensors").string(), (dir / "b.safetensors").string());
  ASSERT_EQ(c.rows.size(), 4u);
  const CompareRow& l = c.rows[0];
  ASSERT_EQ(l.status, "success");
  double nu = 0, nv = 0;
  for (double x : u) nu += x * x;
  for (double x : v) nv += x * x;
  EXPECT_NEAR(l.distances->delta_W, std::sqrt(nu * nv), 1e-12);
  EXPECT_NEAR(l.distances->euclidean, std::sqrt(nu * nv), 1e-12);
  // The difference u v^T has one non-zero eigenvalue |u|^2 |v|^2.
  ASSERT_NE(l.delta, nullptr);
  EXPECT_NEAR(l.delta->evals.back(), nu * nv, 1e-12 * nu * nv);
  EXPECT_LT(l.delta->evals[l.delta->evals.size() - 2], 1e-20);
  // CKA by its definition, with A = W (rows as samples) and B = W + u v^T.
  auto fro_ata = [&](const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0;
    for (int p = 0; p < cols; ++p)
      for (int q = 0; q < cols; ++q) {
        double x = 0;
        for (int i = 0; i < rows; ++i) x += a[i * cols + p] * b[i * cols + q];
        s += x * x;
      }
    return std::sqrt(s);
  };
  EXPECT_NEAR(l.distances->cka, fro_ata(w, w2) / std::sqrt(fro_ata(w, w) * fro_ata(w2, w2)), 1e-12);
  EXPECT_LT(l.distances->cka, 1.0);
  EXPECT_EQ(c.rows[1].status, "unmatched: only in base");
  EXPECT_EQ(c.rows[2].status, "error: shapes differ (20x12 vs 20x14)");
  EXPECT_EQ(c.rows[3].status, "unmatched: only in other");
  EXPECT_EQ(c.rows[3].name, "only_b.weight");
}

TEST(Compare, KerasLayoutAgainstPyTorchLayoutIsTheSameModel) {
  // The same weights as Keras HDF5 (in, out; names fc1, ...) and safetensors (out, in; fc1.weight, ...):
  // no shared names, so matched by position, and transposed before the difference.
  const Comparison c = run(corpus("mlp3-mnist10k-bs32-lr0.01/model.safetensors"), corpus("mlp3-mnist10k-bs32-lr0.01/model.h5"));
  EXPECT_TRUE(c.by_position);
  ASSERT_EQ(c.rows.size(), 3u);
  for (const auto& row : c.rows) {
    EXPECT_EQ(row.status, "success");
    EXPECT_EQ(row.distances->delta_W, 0.0);
    EXPECT_EQ(row.base->fit.alpha, row.other->fit.alpha);
  }
}
