// LoRA adapters: pairs recognised, dW = (lora_alpha / r) * B * A analyzed from its factors,
// checked against closed forms (B = U diag(b), A = diag(a) V^T with orthonormal U, V, so the
// eigenvalues of dW^T dW are (scale * a_k * b_k)^2) and, for W + dW, against a dense
// eigensolve done here.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "fixtures.hpp"
#include "setol/analyze.hpp"
#include "setol/lora.hpp"

using namespace setol;
namespace fs = std::filesystem;

namespace {

// Orthonormal columns (n x k): the Q of a QR of a fixed, well-conditioned matrix.
Eigen::MatrixXd orthonormal(int n, int k, double seed) {
  Eigen::MatrixXd m(n, k);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < k; ++j) m(i, j) = std::sin(seed * (i + 1) + 0.37 * (j + 1) * (i % 7 + 1)) + (i == j ? 3 : 0);
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(m);
  return qr.householderQ() * Eigen::MatrixXd::Identity(n, k);
}

std::vector<double> row_major(const Eigen::MatrixXd& m) {
  std::vector<double> v;
  for (int i = 0; i < m.rows(); ++i)
    for (int j = 0; j < m.cols(); ++j) v.push_back(m(i, j));
  return v;
}

struct Adapter {
  Eigen::MatrixXd A, B;  // r x in, out x r
  std::vector<double> a, b;
};

// A (r x in) = diag(a) V^T and B (out x r) = U diag(b).
Adapter make_adapter(int out, int in, int r) {
  Adapter ad;
  const Eigen::MatrixXd U = orthonormal(out, r, 0.7), V = orthonormal(in, r, 1.3);
  for (int k = 0; k < r; ++k) {
    ad.a.push_back(1.0 + 0.25 * k);
    ad.b.push_back(0.5 + 0.1 * k * k);
  }
  ad.A = Eigen::Map<Eigen::VectorXd>(ad.a.data(), r).asDiagonal() * V.transpose();
  ad.B = U * Eigen::Map<Eigen::VectorXd>(ad.b.data(), r).asDiagonal();
  return ad;
}

std::vector<LayerRecord> analyze(const ModelReader& m) {
  AnalyzeOptions opt;
  auto recs = plan_layers(m, opt);
  analyze_layers(m, recs, opt);
  return recs;
}

const LayerRecord* find(const std::vector<LayerRecord>& recs, const std::string& name) {
  for (const auto& r : recs)
    if (r.name == name) return &r;
  return nullptr;
}

void expect_close(const std::vector<double>& got, std::vector<double> want, double rel) {
  std::sort(want.begin(), want.end());
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], rel * want.back()) << i;
}

}  // namespace

TEST(Lora, ProductEigenvaluesFromTheFactors) {
  fixtures::TempDir dir;
  const Adapter q = make_adapter(96, 80, 16), small = make_adapter(40, 30, 4);
  fixtures::write_bytes(dir / "adapter_model.safetensors",
                        fixtures::safetensors_image({
                            {"base_model.model.q.lora_A.weight", "F64", {16, 80}, row_major(q.A)},
                            {"base_model.model.q.lora_B.weight", "F64", {96, 16}, row_major(q.B)},
                            {"base_model.model.k.lora_A.weight", "F64", {4, 30}, row_major(small.A)},
                            {"base_model.model.k.lora_B.weight", "F64", {40, 4}, row_major(small.B)},
                        }));
  fixtures::write_bytes(dir / "adapter_config.json", R"({"peft_type": "LORA", "r": 16, "lora_alpha": 32})");
  const auto m = with_lora_products(open_model(dir.path()), dir.path());
  const auto recs = analyze(*m);
  ASSERT_EQ(recs.size(), 2u);  // the two lora_BA rows; lora_B factors are not layers
  const LayerRecord* ba = find(recs, "base_model.model.q.lora_BA.weight");
  ASSERT_NE(ba, nullptr);
  EXPECT_EQ(ba->status, LayerStatus::Success);
  EXPECT_EQ(ba->num_evals, 16);
  EXPECT_EQ(ba->geometry.N, 96);
  EXPECT_EQ(ba->geometry.M, 80);
  std::vector<double> want;
  for (int k = 0; k < 16; ++k) want.push_back(std::pow(2.0 * q.a[k] * q.b[k], 2));  // scale 32 / 16 = 2
  expect_close(ba->evals, want, 1e-10);
  // Rank 4 < min_evals 10: a row that says why, as WeightWatcher drops it silently.
  const LayerRecord* k = find(recs, "base_model.model.k.lora_BA.weight");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->status_text(), "skipped: too few eigenvalues (rank = 4 < min_evals 10)");
  bool scale_reported = false;
  for (const auto& [key, v] : m->metadata()) scale_reported |= key == "lora_scale" && v == "2.0";
  EXPECT_TRUE(scale_reported);

  // Without adapter_config.json the scale is 1.
  fs::remove(dir / "adapter_config.json");
  const auto unscaled = analyze(*with_lora_products(open_model(dir.path()), dir.path()));
  want.clear();
  for (int i = 0; i < 16; ++i) want.push_back(std::pow(q.a[i] * q.b[i], 2));
  expect_close(find(unscaled, "base_model.model.q.lora_BA.weight")->evals, want, 1e-10);
}

TEST(Lora, WithBaseAddsWPlusDeltaW) {
  fixtures::TempDir dir;
  const Adapter q = make_adapter(48, 36, 12);
  fixtures::write_bytes(dir / "adapter_model.safetensors",
                        fixtures::safetensors_image({
                            {"base_model.model.layer.q.lora_A.weight", "F64", {12, 36}, row_major(q.A)},
                            {"base_model.model.layer.q.lora_B.weight", "F64", {48, 12}, row_major(q.B)},
                        }));
  fixtures::write_bytes(dir / "adapter_config.json", R"({"r": 12, "lora_alpha": 6, "use_rslora": false})");
  Eigen::MatrixXd W(48, 36);
  for (int i = 0; i < 48; ++i)
    for (int j = 0; j < 36; ++j) W(i, j) = std::cos(0.3 * i * j + i) / 6.0;
  fixtures::write_bytes(dir / "base.safetensors",
                        fixtures::safetensors_image({{"layer.q.weight", "F64", {48, 36}, row_major(W)}}));
  std::shared_ptr<const ModelReader> base = open_model(dir / "base.safetensors");
  const auto m = with_lora_products(open_model(dir / "adapter_model.safetensors"), dir / "adapter_model.safetensors", base);
  const auto recs = analyze(*m);
  const LayerRecord* plus = find(recs, "base_model.model.layer.q.lora_W_plus_AB.weight");
  ASSERT_NE(plus, nullptr);
  EXPECT_EQ(plus->num_evals, 36);  // the full ESD of W + dW
  const Eigen::MatrixXd sum = W + 0.5 * q.B * q.A;  // scale 6 / 12
  const Eigen::VectorXd ev = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(sum.transpose() * sum).eigenvalues();
  expect_close(plus->evals, std::vector<double>(ev.data(), ev.data() + ev.size()), 1e-10);
  ASSERT_NE(find(recs, "base_model.model.layer.q.lora_BA.weight"), nullptr);
  // A base without that module is an error naming it.
  fixtures::write_bytes(dir / "other.safetensors",
                        fixtures::safetensors_image({{"layer.k.weight", "F64", {48, 36}, row_major(W)}}));
  std::shared_ptr<const ModelReader> wrong = open_model(dir / "other.safetensors");
  EXPECT_THROW(with_lora_products(open_model(dir / "adapter_model.safetensors"), dir.path(), wrong), InputError);
}
