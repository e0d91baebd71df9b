// Spectrum core against closed forms (diagonal, orthogonal, rank-one matrices) and an
// independent Eigen computation for convolution pooling and layouts.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <random>

#include "setol/layer.hpp"
#include "setol/metrics.hpp"
#include "setol/spectrum.hpp"

using namespace setol;

namespace {

// An in-memory f64 or f32 tensor (C order).
TensorData make_tensor(const std::vector<std::int64_t>& shape, const std::vector<double>& v, DType dt,
                       Layout layout = Layout::Torch) {
  TensorInfo info;
  info.name = "w";
  info.shape = shape;
  info.dtype = dt;
  info.layout = layout;
  std::shared_ptr<std::vector<std::byte>> buf;
  if (dt == DType::F64) {
    buf = std::make_shared<std::vector<std::byte>>(v.size() * 8);
    std::memcpy(buf->data(), v.data(), v.size() * 8);
  } else {
    std::vector<float> f(v.begin(), v.end());
    buf = std::make_shared<std::vector<std::byte>>(v.size() * 4);
    std::memcpy(buf->data(), f.data(), v.size() * 4);
  }
  return TensorData(info, buf->data(), buf);
}

LayerSpectrum layer_spectrum(const TensorData& t, double scale = 1.0) {
  const auto g = classify_tensor(t.info());
  std::vector<SliceSpectrum> slices;
  for (const auto& v : layer_matrices(t.info(), g, t.strides())) slices.push_back(slice_eigenvalues(t, v, scale));
  return pool_slices(std::move(slices), g.N);
}

std::vector<double> random_values(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> d(0.0, 1.0);
  std::vector<double> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

}  // namespace

TEST(Spectrum, DiagonalMatrixGivesSquaredDiagonal) {
  // 5 x 8 with diagonal 3, -1, 0.5, 2, 7: W^T W eigenvalues are the squares.
  std::vector<double> w(5 * 8, 0.0);
  const double d[5] = {3, -1, 0.5, 2, 7};
  for (int i = 0; i < 5; ++i) w[static_cast<std::size_t>(i * 8 + i)] = d[i];
  const auto s = layer_spectrum(make_tensor({5, 8}, w, DType::F64));
  const std::vector<double> expect = {0.25, 1, 4, 9, 49};
  ASSERT_EQ(s.evals.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_NEAR(s.evals[i], expect[i], 1e-13 * 49);
  EXPECT_DOUBLE_EQ(s.sv_max, 7.0);
}

TEST(Spectrum, OrthogonalColumnsGiveUnitEigenvalues) {
  Eigen::MatrixXd a = Eigen::Map<Eigen::MatrixXd>(random_values(300 * 100, 1).data(), 300, 100);
  Eigen::MatrixXd q = Eigen::HouseholderQR<Eigen::MatrixXd>(a).householderQ() * Eigen::MatrixXd::Identity(300, 100);
  // Row-major (300, 100) tensor holding q, scaled by 2.5: every eigenvalue is 6.25.
  std::vector<double> w(300 * 100);
  for (int r = 0; r < 300; ++r)
    for (int c = 0; c < 100; ++c) w[static_cast<std::size_t>(r * 100 + c)] = 2.5 * q(r, c);
  const auto s = layer_spectrum(make_tensor({300, 100}, w, DType::F64));
  ASSERT_EQ(s.evals.size(), 100u);
  for (double e : s.evals) EXPECT_NEAR(e, 6.25, 1e-12);
  EXPECT_EQ(s.rank_loss, 0);
}

TEST(Spectrum, RankOneMatrixUsesSvdAndCountsRankExactly) {
  const auto u = random_values(50, 2), v = random_values(30, 3);
  std::vector<double> w(50 * 30);
  double nu = 0, nv = 0;
  for (double x : u) nu += x * x;
  for (double x : v) nv += x * x;
  for (int r = 0; r < 50; ++r)
    for (int c = 0; c < 30; ++c) w[static_cast<std::size_t>(r * 30 + c)] = u[static_cast<std::size_t>(r)] * v[static_cast<std::size_t>(c)];
  const auto t = make_tensor({50, 30}, w, DType::F64);
  const auto g = classify_tensor(t.info());
  const auto slice = slice_eigenvalues(t, layer_matrices(t.info(), g, t.strides())[0], 1.0);
  EXPECT_TRUE(slice.used_svd);
  const auto s = pool_slices({slice}, g.N);
  EXPECT_NEAR(s.evals.back(), nu * nv, 1e-12 * nu * nv);
  EXPECT_EQ(s.rank_loss, 29);
  EXPECT_EQ(scale_metrics(s.evals, g.N).matrix_rank, 1);
}

// A = U diag(sigma) V^T with random orthogonal U (200 x 200), V (300 x 200) and chosen
// singular values: 196 in [1, 3], then 1e-9, 1e-11 (above numpy's rank tolerance
// sigma_max N eps ~ 2e-13) and two exact zeros. The Gram route cannot see below ~1e-7 sigma_max;
// the near-null QR route must give the four small ones to ~eps sigma_max and the exact rank
// counts (matrix_rank 198, rank_loss 2), without the full SVD.
namespace {
// A = U diag(sigma) V^T with four near-null singular values (1e-9, 1e-11, 0, 0) below the Gram's
// resolution: the near-null route (QR of A^T when m < n; square: LU, then QR where the LU's bound
// cannot decide, as with this matrix's exact zeros on some OpenBLAS kernels) must return them to
// an SVD's accuracy and count the rank exactly, without the full SVD.
void expect_near_null_values_match_closed_form(int m, int n) {
  std::mt19937_64 gen(7);
  std::normal_distribution<double> normal;
  auto orthonormal = [&](int rows, int cols) {
    Eigen::MatrixXd g(rows, cols);
    for (int j = 0; j < cols; ++j)
      for (int i = 0; i < rows; ++i) g(i, j) = normal(gen);
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);
    return Eigen::MatrixXd(qr.householderQ() * Eigen::MatrixXd::Identity(rows, cols));
  };
  const Eigen::MatrixXd u = orthonormal(m, m), v = orthonormal(n, m);
  Eigen::VectorXd sigma(m);
  for (int i = 0; i < m - 4; ++i) sigma(i) = 1.0 + 2.0 * i / (m - 5);
  sigma(m - 4) = 1e-9;
  sigma(m - 3) = 1e-11;
  sigma(m - 2) = 0;
  sigma(m - 1) = 0;
  const Eigen::MatrixXd a = u * sigma.asDiagonal() * v.transpose();  // m x n
  std::vector<double> w(static_cast<std::size_t>(m) * n);
  for (int r = 0; r < m; ++r)
    for (int c = 0; c < n; ++c) w[static_cast<std::size_t>(r) * n + c] = a(r, c);
  const auto t = make_tensor({m, n}, w, DType::F64);
  const auto g = classify_tensor(t.info());
  const auto slice = slice_eigenvalues(t, layer_matrices(t.info(), g, t.strides())[0], 1.0);
  EXPECT_TRUE(slice.used_qr);
  EXPECT_FALSE(slice.used_svd);
  const double smax = 3.0, eps = 2.220446049250313e-16;
  // The rounding of A itself (entries ~ 0.2, stored exactly as doubles but formed with error
  // ~ eps * |U||sigma||V|) moves its singular values by ~ sqrt(m) eps sigma_max.
  const double err = 50.0 * eps * smax;
  ASSERT_EQ(slice.evals.size(), static_cast<std::size_t>(m));
  EXPECT_NEAR(std::sqrt(slice.evals[0]), 0.0, err);
  EXPECT_NEAR(std::sqrt(slice.evals[1]), 0.0, err);
  EXPECT_NEAR(std::sqrt(slice.evals[2]), 1e-11, err);
  EXPECT_NEAR(std::sqrt(slice.evals[3]), 1e-9, err);
  EXPECT_NEAR(slice.evals.back(), 9.0, 1e-12 * 9.0);
  const auto s = pool_slices({slice}, g.N);
  EXPECT_EQ(s.rank_loss, 2);
  EXPECT_EQ(scale_metrics(s.evals, g.N).matrix_rank, 198);
}
}  // namespace

TEST(Spectrum, NearNullSingularValuesByQrMatchTheirClosedForm) { expect_near_null_values_match_closed_form(200, 300); }

TEST(Spectrum, NearNullSingularValuesOfSquareMatrixMatchTheirClosedForm) {
  expect_near_null_values_match_closed_form(200, 200);
}

TEST(Spectrum, ConvPoolingMatchesIndependentSliceEigenvaluesInBothLayouts) {
  const int out = 6, in = 4, kh = 2, kw = 3;
  const auto w = random_values(static_cast<std::size_t>(out * in * kh * kw), 4);
  // Reference: for every kernel position, eigenvalues of the out x in slice scaled by
  // sqrt(1/2) in float32 (WWLayer.set_weight_matrices, conv2d_norm), computed with Eigen.
  std::vector<double> ref;
  std::vector<double> keras(w.size());
  const float s32 = static_cast<float>(std::sqrt(0.5));
  for (int i = 0; i < kh; ++i)
    for (int j = 0; j < kw; ++j) {
      Eigen::MatrixXd m(out, in);
      for (int o = 0; o < out; ++o)
        for (int c = 0; c < in; ++c) {
          const double x = static_cast<float>(w[static_cast<std::size_t>(((o * in + c) * kh + i) * kw + j)]);
          m(o, c) = static_cast<float>(static_cast<float>(x) * s32);
          keras[static_cast<std::size_t>(((i * kw + j) * in + c) * out + o)] = x;
        }
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(m.transpose() * m, Eigen::EigenvaluesOnly);
      for (int k = 0; k < in; ++k) ref.push_back(es.eigenvalues()(k));
    }
  std::sort(ref.begin(), ref.end());
  const auto torch = layer_spectrum(make_tensor({out, in, kh, kw}, w, DType::F32), std::sqrt(0.5));
  const auto kr = layer_spectrum(make_tensor({kh, kw, in, out}, keras, DType::F32, Layout::Keras), std::sqrt(0.5));
  ASSERT_EQ(torch.evals.size(), static_cast<std::size_t>(in * kh * kw));
  ASSERT_EQ(kr.evals.size(), torch.evals.size());
  for (std::size_t k = 0; k < ref.size(); ++k) {
    EXPECT_NEAR(torch.evals[k], ref[k], 1e-12 * ref.back());
    EXPECT_NEAR(kr.evals[k], ref[k], 1e-12 * ref.back());
  }
}

TEST(Spectrum, NonFiniteWeightsAreFlagged) {
  auto w = random_values(20 * 10, 5);
  w[37] = std::nan("");
  EXPECT_FALSE(layer_spectrum(make_tensor({20, 10}, w, DType::F32)).finite);
  w[37] = INFINITY;
  EXPECT_FALSE(layer_spectrum(make_tensor({20, 10}, w, DType::F64)).finite);
}

TEST(Spectrum, WideAndTallOrientationAgree) {
  const auto w = random_values(40 * 70, 6);
  std::vector<double> wt(w.size());
  for (int r = 0; r < 40; ++r)
    for (int c = 0; c < 70; ++c) wt[static_cast<std::size_t>(c * 40 + r)] = w[static_cast<std::size_t>(r * 70 + c)];
  const auto a = layer_spectrum(make_tensor({40, 70}, w, DType::F64));
  const auto b = layer_spectrum(make_tensor({70, 40}, wt, DType::F64));
  ASSERT_EQ(a.evals.size(), 40u);
  for (std::size_t k = 0; k < 40; ++k) EXPECT_NEAR(a.evals[k], b.evals[k], 1e-12 * a.evals.back());
}
