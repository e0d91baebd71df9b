// FP8 safetensors (OCP E4M3FN / E5M2, DeepSeek block scales, compressed-tensors scales)
// against the dequantized tensors of the fixtures, bit for bit; the 256 codes of each format
// against their closed form; integer tensors as skipped rows.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "format_checks.hpp"
#include "io/decode.hpp"
#include "setol/analyze.hpp"
#include "setol/model_reader.hpp"

using namespace setol;

namespace {
const std::string kDir = std::string(SETOL_TEST_DATA) + "/formats/mlp3-fp8/";
}

TEST(Fp8, CodesMatchTheirClosedForm) {
  for (int b = 0; b < 256; ++b) {
    const double sign = (b & 0x80) ? -1 : 1;
    // E4M3FN: bias 7, 3 mantissa bits, only S.1111.111 is NaN (no infinities).
    const int e4 = (b >> 3) & 15, m3 = b & 7;
    const double v4 = e4 == 0 ? sign * m3 / 8.0 * std::pow(2.0, -6) : sign * (1 + m3 / 8.0) * std::pow(2.0, e4 - 7);
    if (e4 == 15 && m3 == 7) EXPECT_TRUE(std::isnan(io::fp8_e4m3(static_cast<std::uint8_t>(b))));
    else EXPECT_EQ(io::fp8_e4m3(static_cast<std::uint8_t>(b)), v4) << b;
    // E5M2: bias 15, 2 mantissa bits, IEEE infinities and NaNs.
    const int e5 = (b >> 2) & 31, m2 = b & 3;
    const float got = io::fp8_e5m2(static_cast<std::uint8_t>(b));
    if (e5 == 31 && m2 == 0) EXPECT_EQ(got, sign * INFINITY);
    else if (e5 == 31) EXPECT_TRUE(std::isnan(got));
    else EXPECT_EQ(got, e5 == 0 ? sign * m2 / 4.0 * std::pow(2.0, -14) : sign * (1 + m2 / 4.0) * std::pow(2.0, e5 - 15)) << b;
  }
  EXPECT_EQ(io::fp8_e4m3(0x7E), 448.0f);  // the largest E4M3FN value
  EXPECT_EQ(io::fp8_e5m2(0x7B), 57344.0f);
}

TEST(Fp8, ScaledWeightsDequantizeBitExactly) {
  std::ifstream in(kDir + "manifest.json");
  const auto manifest = nlohmann::json::parse(in);
  int checked = 0;
  for (const auto& [file, spec] : manifest["files"].items()) {
    SCOPED_TRACE(file);
    auto m = open_model(kDir + file);
    std::size_t weights = 0;
    for (const auto& t : m->tensors()) weights += t.role.empty();
    EXPECT_EQ(weights, spec["tensors"].size());  // scale tensors are not weights
    for (const auto& [name, t] : spec["tensors"].items()) {
      std::size_t i = 0;
      while (i < m->tensors().size() && m->tensors()[i].name != name) ++i;
      ASSERT_LT(i, m->tensors().size()) << name;
      format_checks::expect_bit_exact(*m, i, kDir + t["expected"].get<std::string>());
      ++checked;
    }
  }
  EXPECT_EQ(checked, 8);
}

TEST(Fp8, IntegerTensorsAreSkippedRows) {
  fixtures::TempDir dir;
  const std::string header = R"({"q":{"dtype":"I8","shape":[16,12],"data_offsets":[0,192]},)"
                             R"("w":{"dtype":"F32","shape":[16,12],"data_offsets":[192,960]}})";
  std::string bytes(8, '\0');
  bytes[0] = static_cast<char>(header.size());
  bytes += header + std::string(960, '\x01');
  fixtures::write_bytes(dir / "int8.safetensors", bytes);
  auto m = open_model(dir / "int8.safetensors");
  const auto rows = plan_layers(*m, AnalyzeOptions{});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].name, "q");
  EXPECT_EQ(rows[0].status_text(), "skipped: integer tensor without a known scale");
  EXPECT_EQ(rows[1].status, LayerStatus::Pending);
}
