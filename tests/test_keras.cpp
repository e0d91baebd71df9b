// Keras 3 .keras archives and tf.keras 2 full-model .h5 files against the weights they were
// written from (PyTorch orientation, with the transpose the manifest gives), bit for bit.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "format_checks.hpp"

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
      EXPECT_EQ(fixtures::count_differences(to_f64(m->load(i)), want), 0u) << m->tensors()[i].name;
      ++i, ++checked;
    }
  }
  EXPECT_EQ(checked, 8);
}

TEST(Keras, SameAnalysisAsSafetensors) {
  const auto ref = format_checks::analyze(std::string(SETOL_TEST_DATA) + "/corpus/cnn-fashion-bs64-lr0.01/model.safetensors");
  for (const char* f : {"model.keras", "model_keras2.h5"})  // names differ (conv1 vs conv1.weight): by position
    format_checks::expect_same_rows(format_checks::analyze(kDir + f), ref, f, true);
}
