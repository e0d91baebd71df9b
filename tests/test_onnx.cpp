// ONNX initializers and Constant tensors (raw_data, float16, external data, MatMul (in, out)
// weights reported in PyTorch orientation) against the values onnx.numpy_helper gives, bit for
// bit; the same analysis as safetensors; external data that leaves the folder is refused.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "format_checks.hpp"
#include "setol/analyze.hpp"
#include "setol/error.hpp"
#include "setol/model_reader.hpp"

using namespace setol;

namespace {
const std::string kDir = std::string(SETOL_TEST_DATA) + "/formats/onnx/gnubg/";

}  // namespace

TEST(Onnx, EveryWeightIsBitExactInPyTorchOrientation) {
  const auto spec = nlohmann::json::parse(fixtures::read_bytes(kDir + "initializers.json"));
  int checked = 0;
  for (const auto& [file, f] : spec["files"].items()) {
    SCOPED_TRACE(file);
    auto m = open_model(kDir + file);
    ASSERT_EQ(m->tensors().size(), f["tensors"].size());
    for (std::size_t i = 0; i < m->tensors().size(); ++i) {
      const auto& t = f["tensors"][i];
      EXPECT_EQ(m->tensors()[i].name, t["name"].get<std::string>());
      EXPECT_EQ(m->tensors()[i].shape, t["pytorch_shape"].get<std::vector<std::int64_t>>());
      format_checks::expect_bit_exact(*m, i, kDir + t["expected"].get<std::string>());
      ++checked;
    }
  }
  EXPECT_EQ(checked, 60);
}

TEST(Onnx, SameAnalysisAsSafetensors) {
  const auto ref = format_checks::analyze(std::string(SETOL_TEST_DATA) + "/corpus/gnubg-nets-1.07/model.safetensors");
  for (const char* f : {"model.onnx", "model_matmul.onnx", "model_constant.onnx", "model_external.onnx"})
    format_checks::expect_same_rows(format_checks::analyze(kDir + f), ref, f);
}

TEST(Onnx, HostileAndBrokenFilesAreRefused) {
  fixtures::TempDir dir;
  std::string bytes = fixtures::read_bytes(kDir + "model_external.onnx");
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
  fixtures::write_bytes(dir / "model_external.onnx", fixtures::read_bytes(kDir + "model_external.onnx"));
  EXPECT_THROW(open_model(dir / "model_external.onnx"), InputError);
  const std::string whole = fixtures::read_bytes(kDir + "model.onnx");
  fixtures::write_bytes(dir / "cut.onnx", whole.substr(0, whole.size() / 2));
  EXPECT_THROW(open_model(dir / "cut.onnx"), InputError);
}

// external_data's "offset" and "length" are decimal byte counts. One that is not a number is an
// InputError naming the tensor; found by fuzzing (docs/reliability.md, finding 8), where it came
// out of load() as std::invalid_argument.
TEST(Onnx, ExternalOffsetOrLengthThatIsNotANumberIsRefused) {
  fixtures::TempDir dir;
  fixtures::write_bytes(dir / "model_external.onnx.data", fixtures::read_bytes(kDir + "model_external.onnx.data"));
  for (const std::string key : {"offset", "length"}) {
    std::string bytes = fixtures::read_bytes(kDir + "model_external.onnx");
    // StringStringEntryProto: field 1 (key) "\x0a\x06" + key, then field 2 (value) "\x12" + length.
    const auto at = bytes.find("\x0a\x06" + key + "\x12");
    ASSERT_NE(at, std::string::npos) << key;
    bytes[at + 2 + key.size() + 2] = 'x';  // the value's first digit; the protobuf stays valid
    fixtures::write_bytes(dir / "model_external.onnx", bytes);
    try {
      open_model(dir / "model_external.onnx");
      ADD_FAILURE() << "accepted a non-numeric external data " << key;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("external data " + key + " is not a number"), std::string::npos) << e.what();
    }
  }
}
