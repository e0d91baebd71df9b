// Keras 3 .keras archives and tf.keras 2 full-model .h5 files against the weights they were
// written from (PyTorch orientation, with the transpose the manifest gives), bit for bit.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "setol/analyze.hpp"
#include "setol/model_reader.hpp"

using namespace setol;

namespace {
const std::string kDir = std::string(SETOL_TEST_DATA) + "/formats/cnn-keras/";

// value_in_file == expected.transpose(p): file axis k is expected axis p[k].
std::vector<double> transposed(const std::vector<double>& e, const std::vector<std::int64_t>& eshape,
                               const std::vector<int>& p) {
  const std::size_t n = eshape.size();
  std::vector<std::int64_t> fshape(n), estride(n, 1);
  for (std::size_t k = n; k-- > 1;) estride[k - 1] = estride[k] * eshape[k];
  for (std::size_t k = 0; k < n; ++k) fshape[k] = eshape[static_cast<std::size_t>(p[k])];
  std::vector<double> out(e.size());
  std::vector<std::int64_t> idx(n, 0);
  for (std::size_t flat = 0; flat < out.size(); ++flat) {
    std::int64_t off = 0;
    for (std::size_t k = 0; k < n; ++k) off += idx[k] * estride[static_cast<std::size_t>(p[k])];
    out[flat] = e[static_cast<std::size_t>(off)];
    for (std::size_t k = n; k-- > 0;) {
      if (++idx[k] < fshape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}
}  // namespace

TEST(Keras, WeightsMatchTheirSourceInKerasOrientation) {
  std::ifstream in(kDir + "manifest.json");
  const auto manifest = nlohmann::ordered_json::parse(in);  // model order
  int checked = 0;
  for (const auto& [file, spec] : manifest["files"].items()) {
    SCOPED_TRACE(file);
    auto m = open_model(kDir + file);
    EXPECT_EQ(m->format(), file == "model.keras" ? "keras" : "keras-h5");
    ASSERT_EQ(m->tensors().size(), spec["tensors"].size());  // no optimizer variables
    std::size_t i = 0;
    for (const auto& [key, t] : spec["tensors"].items()) {
      const std::string expected_name = t.contains("keras_layer_name") ? t["keras_layer_name"].get<std::string>()
                                                                       : key.substr(key.find('/') + 1, key.find('/', key.find('/') + 1) - key.find('/') - 1);
      EXPECT_EQ(m->tensors()[i].name, expected_name);
      auto e = open_model(kDir + t["expected"].get<std::string>());
      const auto want = transposed(to_f64(e->load(0)), e->tensors()[0].shape, t["transform"].get<std::vector<int>>());
      const auto got = to_f64(m->load(i));
      ASSERT_EQ(got.size(), want.size());
      std::size_t diff = 0;
      for (std::size_t k = 0; k < got.size(); ++k) diff += got[k] != want[k];
      EXPECT_EQ(diff, 0u) << m->tensors()[i].name;
      ++i, ++checked;
    }
  }
  EXPECT_EQ(checked, 8);
}

TEST(Keras, SameAnalysisAsSafetensors) {
  auto run = [](const std::string& path) {
    auto m = open_model(path);
    AnalyzeOptions o;
    o.threads = 1;
    auto r = plan_layers(*m, o);
    analyze_layers(*m, r, o);
    return r;
  };
  const auto ref = run(std::string(SETOL_TEST_DATA) + "/corpus/cnn-fashion-bs64-lr0.01/model.safetensors");
  for (const char* f : {"model.keras", "model_keras2.h5"}) {
    const auto rows = run(kDir + f);
    ASSERT_EQ(rows.size(), ref.size()) << f;
    for (std::size_t i = 0; i < rows.size(); ++i) {  // names differ (conv1 vs conv1.weight): by position
      SCOPED_TRACE(std::string(f) + ": " + rows[i].name);
      EXPECT_EQ(rows[i].status_text(), ref[i].status_text());
      EXPECT_EQ(rows[i].geometry.N, ref[i].geometry.N);
      EXPECT_EQ(rows[i].geometry.M, ref[i].geometry.M);
      if (!rows[i].has_metrics()) continue;
      EXPECT_NEAR(rows[i].fit.alpha, ref[i].fit.alpha, 1e-12 * ref[i].fit.alpha);
      EXPECT_NEAR(rows[i].fit.D, ref[i].fit.D, 1e-12 * ref[i].fit.D);
      EXPECT_NEAR(rows[i].scale->norm, ref[i].scale->norm, 1e-12 * ref[i].scale->norm);
    }
  }
}
