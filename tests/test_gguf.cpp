// GGUF against gguf-py's and ggml's own dequantization (tests/data/formats/gguf: manifest.json
// maps every tensor of every file to its expected float32 .npy), bit for bit, for every block
// type; shapes in PyTorch order; the same analysis as safetensors for lossless files; and
// malformed headers.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "format_checks.hpp"
#include "setol/analyze.hpp"
#include "setol/layer.hpp"
#include "setol/error.hpp"
#include "setol/model_reader.hpp"

using namespace setol;

namespace {

const std::string kDir = std::string(SETOL_TEST_DATA) + "/formats/gguf/";


}  // namespace

TEST(Gguf, EveryTensorDequantizesBitExactly) {
  std::set<std::string> types;
  for (const char* model : {"mlp3", "gnubg"}) {
    const auto manifest = nlohmann::json::parse(fixtures::read_bytes(kDir + model + "/manifest.json"));
    for (const auto& [file, spec] : manifest["files"].items()) {
      const std::string path = kDir + model + "/" + file;
      if (!std::filesystem::exists(path)) continue;  // not every fixture file is copied
      SCOPED_TRACE(path);
      auto m = open_model(path);
      ASSERT_EQ(m->tensors().size(), spec["tensors"].size());
      for (std::size_t i = 0; i < m->tensors().size(); ++i) {
        const auto& t = spec["tensors"][i];
        const auto& info = m->tensors()[i];
        EXPECT_EQ(info.name, t["name"].get<std::string>());
        EXPECT_EQ(info.shape, t["pytorch_shape"].get<std::vector<std::int64_t>>());
        EXPECT_EQ(info.dtype_text, t["ggml_type"].get<std::string>());
        types.insert(info.dtype_text);
        format_checks::expect_bit_exact(*m, i, kDir + model + "/" + t["expected"].get<std::string>());
      }
    }
  }
  for (const char* t : {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "Q2_K", "Q3_K", "Q4_K",
                        "Q5_K", "Q6_K"})
    EXPECT_TRUE(types.count(t)) << t << " not exercised";
}

TEST(Gguf, F32FileGivesTheSafetensorsAnalysis) {
  format_checks::expect_same_rows(format_checks::analyze(kDir + "gnubg/model.f32.gguf"),
                                  format_checks::analyze(std::string(SETOL_TEST_DATA) + "/corpus/gnubg-nets-1.07/model.safetensors"),
                                  "model.f32.gguf");
}

TEST(Gguf, MalformedFilesAreInputErrors) {
  fixtures::TempDir dir;
  const std::string good = fixtures::read_bytes(kDir + "gnubg/model.q8_0.gguf");
  auto patched = [&](std::size_t at, const std::string& bytes) {
    std::string s = good;
    s.replace(at, bytes.size(), bytes);
    return s;
  };
  const std::string huge(8, '\xff');
  std::vector<std::pair<std::string, std::string>> cases = {
      {"truncated", good.substr(0, good.size() / 2)},
      {"header only", good.substr(0, 20)},
      {"version 1", patched(4, std::string("\x01\x00\x00\x00", 4))},
      {"2^64-1 tensors", patched(8, huge)},
      {"2^64-1 kv pairs", patched(16, huge)},
      {"bad magic", patched(0, "GGUX")},
  };
  // Found by fuzzing: a tensor with a zero dimension and two huge ones holds no bytes, but its
  // element count overflows. The tensor info of contact.hidden.weight (2 dims) gets 3 dims,
  // ne = (0, 2^62, 2^62): refused.
  {
    const std::string name = "contact.hidden.weight";
    const std::size_t at = good.rfind(std::string(1, static_cast<char>(name.size())) + std::string(7, '\0') + name) + 8;
    ASSERT_LT(at, good.size());
    std::string ne;
    for (std::uint64_t v : {std::uint64_t{0}, std::uint64_t{1} << 62, std::uint64_t{1} << 62})
      ne += std::string(reinterpret_cast<const char*>(&v), 8);
    std::string s = patched(at + name.size(), std::string("\x03\x00\x00\x00", 4));  // n_dims 3, not 2
    s.replace(at + name.size() + 4, 16, ne);  // the 2 dims become 3
    cases.emplace_back("zero dim times an overflowing product", s);
  }
  for (const auto& [what, bytes] : cases) {
    const auto file = dir / (what + ".gguf");
    fixtures::write_bytes(file, bytes);
    EXPECT_THROW(
        {
          auto m = open_model(file);
          for (std::size_t i = 0; i < m->tensors().size(); ++i) to_f64(m->load(i));
        },
        InputError)
        << what;
  }
}

TEST(Gguf, UndecodableTypeIsASkippedRowAndMetadataIsRead) {
  fixtures::TempDir dir;
  std::string bytes = fixtures::read_bytes(kDir + "gnubg/model.q8_0.gguf");
  // Tensor info after the name: uint32 n_dims (2), uint64 ne[2], uint32 ggml type.
  const std::string name = "race.output.weight";
  std::string key(8, '\0');  // the name as a GGUF string: uint64 length, then the bytes
  key[0] = static_cast<char>(name.size());
  key += name;
  const auto at = bytes.rfind(key) + key.size() + 4 + 16;  // the last mention: its tensor info
  ASSERT_EQ(bytes[at], '\x08');  // Q8_0
  bytes[at] = '\x09';            // Q8_1: same block length, 2 more bytes per block, not decoded
  fixtures::write_bytes(dir / "q8_1.gguf", bytes);
  auto m = open_model(dir / "q8_1.gguf");
  AnalyzeOptions o;
  const auto rows = plan_layers(*m, o);
  bool found = false;
  for (const auto& r : rows)
    if (r.name == name) {
      found = true;
      EXPECT_EQ(r.status_text(), "skipped: unsupported quantization Q8_1");
    }
  EXPECT_TRUE(found);
  const auto md = m->metadata();
  ASSERT_FALSE(md.empty());
  EXPECT_EQ(md[0].first, "general.architecture");
  EXPECT_EQ(md[0].second, "gnubg");
}

TEST(Gguf, LlamaCppTensorNamesAreTyped) {
  auto type_of = [](const std::string& name, std::vector<std::int64_t> shape) {
    TensorInfo t;
    t.name = name;
    t.shape = std::move(shape);
    t.dtype = DType::Q8_0;
    return classify_tensor(t);
  };
  EXPECT_EQ(type_of("token_embd.weight", {32000, 4096}).type, LayerType::Embedding);
  EXPECT_EQ(type_of("blk.0.attn_q.weight", {4096, 4096}).type, LayerType::Dense);
  EXPECT_EQ(type_of("blk.0.ffn_down.weight", {4096, 11008}).type, LayerType::Dense);
  EXPECT_EQ(type_of("output.weight", {32000, 4096}).type, LayerType::Dense);
  EXPECT_EQ(type_of("blk.0.attn_norm.weight", {4096}).type, LayerType::NotALayer);
  EXPECT_EQ(type_of("output_norm.weight", {4096}).type, LayerType::NotALayer);
}
