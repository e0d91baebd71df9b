// ONNX initializers and Constant tensors (raw_data, float16, external data, MatMul (in, out)
// weights reported in PyTorch orientation) against the values onnx.numpy_helper gives, bit for
// bit; the same analysis as safetensors; external data that leaves the folder is refused.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "setol/analyze.hpp"
#include "setol/error.hpp"
#include "setol/model_reader.hpp"

using namespace setol;

namespace {
const std::string kDir = std::string(SETOL_TEST_DATA) + "/formats/onnx/gnubg/";

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}
}  // namespace

TEST(Onnx, EveryWeightIsBitExactInPyTorchOrientation) {
  const auto spec = nlohmann::json::parse(read_all(kDir + "initializers.json"));
  int checked = 0;
  for (const auto& [file, f] : spec["files"].items()) {
    SCOPED_TRACE(file);
    auto m = open_model(kDir + file);
    ASSERT_EQ(m->tensors().size(), f["tensors"].size());
    for (std::size_t i = 0; i < m->tensors().size(); ++i) {
      const auto& t = f["tensors"][i];
      EXPECT_EQ(m->tensors()[i].name, t["name"].get<std::string>());
      EXPECT_EQ(m->tensors()[i].shape, t["pytorch_shape"].get<std::vector<std::int64_t>>());
      const auto got = to_f64(m->load(i));
      const auto want = to_f64(open_model(kDir + t["expected"].get<std::string>())->load(0));
      ASSERT_EQ(got.size(), want.size());
      std::size_t diff = 0;
      for (std::size_t k = 0; k < got.size(); ++k) diff += got[k] != want[k];
      EXPECT_EQ(diff, 0u) << m->tensors()[i].name;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 60);
}

TEST(Onnx, SameAnalysisAsSafetensors) {
  auto run = [](const std::string& path) {
    auto m = open_model(path);
    AnalyzeOptions o;
    o.threads = 1;
    auto r = plan_layers(*m, o);
    analyze_layers(*m, r, o);
    return r;
  };
  const auto ref = run(std::string(SETOL_TEST_DATA) + "/corpus/gnubg-nets-1.07/model.safetensors");
  for (const char* f : {"model.onnx", "model_matmul.onnx", "model_constant.onnx", "model_external.onnx"}) {
    const auto rows = run(kDir + f);
    ASSERT_EQ(rows.size(), ref.size()) << f;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      SCOPED_TRACE(std::string(f) + ": " + rows[i].name);
      EXPECT_EQ(rows[i].name, ref[i].name);
      EXPECT_EQ(rows[i].geometry.N, ref[i].geometry.N);
      if (!rows[i].has_metrics()) continue;
      EXPECT_NEAR(rows[i].fit.alpha, ref[i].fit.alpha, 1e-12 * ref[i].fit.alpha);
      EXPECT_NEAR(rows[i].fit.D, ref[i].fit.D, 1e-12 * ref[i].fit.D);
      EXPECT_NEAR(rows[i].scale->norm, ref[i].scale->norm, 1e-12 * ref[i].scale->norm);
    }
  }
}

TEST(Onnx, HostileAndBrokenFilesAreRefused) {
  fixtures::TempDir dir;
  std::string bytes = read_all(kDir + "model_external.onnx");
  const std::string location = "model_external.onnx.data";
  const std::string escape = "../../../../etc/passwd.x";  // same length: the protobuf stays valid
  ASSERT_EQ(location.size(), escape.size());
  for (auto at = bytes.find(location); at != std::string::npos; at = bytes.find(location, at))
    bytes.replace(at, location.size(), escape);
  fixtures::write_bytes(dir / "escape.onnx", bytes);
  try {
    open_model(dir / "escape.onnx");
    ADD_FAILURE() << "accepted external data outside the model's folder";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("leaves the model's folder"), std::string::npos) << e.what();
  }
  // The external file missing, and a truncated model.
  fixtures::write_bytes(dir / "model_external.onnx", read_all(kDir + "model_external.onnx"));
  EXPECT_THROW(open_model(dir / "model_external.onnx"), InputError);
  const std::string whole = read_all(kDir + "model.onnx");
  fixtures::write_bytes(dir / "cut.onnx", whole.substr(0, whole.size() / 2));
  EXPECT_THROW(open_model(dir / "cut.onnx"), InputError);
}
