// .safetensors loader: dtypes, file order, sharded checkpoints with an index, and
// headers that lie about sizes.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "setol/error.hpp"
#include "setol/model_reader.hpp"

using namespace setol;
using fixtures::StTensor;
using fixtures::TempDir;

TEST(Safetensors, RoundTripsEveryFloatDtype) {
  TempDir dir;
  const auto v = fixtures::iota_values(6, -0.75, 0.5);  // exact in every dtype
  std::vector<StTensor> ts = {{"b.f32", "F32", {2, 3}, v}, {"a.f64", "F64", {3, 2}, v},
                              {"c.f16", "F16", {6}, v},    {"d.bf16", "BF16", {1, 6}, v}};
  fixtures::write_bytes(dir / "m.safetensors", fixtures::safetensors_image(ts, "{\"format\":\"pt\"}"));
  auto m = open_model(dir / "m.safetensors");
  ASSERT_EQ(m->tensors().size(), 4u);
  for (std::size_t i = 0; i < ts.size(); ++i) {  // file order, not alphabetical
    EXPECT_EQ(m->tensors()[i].name, ts[i].name);
    EXPECT_EQ(m->tensors()[i].shape, ts[i].shape);
    EXPECT_EQ(to_f64(m->load(i)), v) << ts[i].dtype;
  }
  EXPECT_EQ(m->format(), "safetensors");
}

TEST(Safetensors, ShardedIndexIsAuthoritative) {
  TempDir dir;
  const auto v = fixtures::iota_values(4);
  fixtures::write_bytes(dir / "model-00002-of-00002.safetensors",
                        fixtures::safetensors_image({{"layers.10.w", "F32", {2, 2}, v}, {"unlisted", "F32", {2, 2}, v}}));
  fixtures::write_bytes(dir / "model-00001-of-00002.safetensors",
                        fixtures::safetensors_image({{"layers.2.w", "F32", {2, 2}, v}, {"layers.1.w", "F32", {2, 2}, v}}));
  fixtures::write_bytes(dir / "stray.safetensors", "garbage that must not be opened");
  fixtures::write_bytes(dir / "model.safetensors.index.json",
                        R"({"metadata":{"total_size":48},"weight_map":{"layers.10.w":"model-00002-of-00002.safetensors",
                            "layers.1.w":"model-00001-of-00002.safetensors","layers.2.w":"model-00001-of-00002.safetensors"}})");
  auto m = open_model(dir.path());
  ASSERT_EQ(m->tensors().size(), 3u);
  EXPECT_EQ(m->tensors()[0].name, "layers.2.w");  // shard 1 in file order
  EXPECT_EQ(m->tensors()[1].name, "layers.1.w");
  EXPECT_EQ(m->tensors()[2].name, "layers.10.w");
  EXPECT_EQ(to_f64(m->load(2)), v);
  EXPECT_EQ(m->format(), "safetensors-sharded");
}

TEST(Safetensors, IndexNamingAMissingTensorIsAnError) {
  TempDir dir;
  fixtures::write_bytes(dir / "s1.safetensors", fixtures::safetensors_image({{"a", "F32", {1}, {1}}}));
  fixtures::write_bytes(dir / "model.safetensors.index.json", R"({"weight_map":{"a":"s1.safetensors","b":"s1.safetensors"}})");
  EXPECT_THROW(open_model(dir.path()), InputError);
}

class SafetensorsMalformed : public ::testing::Test {
 protected:
  void expect_error(const std::string& bytes, const std::string& fragment) {
    fixtures::expect_input_error([](const auto& p) { return open_model(p); }, dir_ / "bad.safetensors", bytes, fragment);
  }
  std::string good() { return fixtures::safetensors_image({{"w", "F32", {4, 4}, fixtures::iota_values(16)}}); }
  TempDir dir_;
};

TEST_F(SafetensorsMalformed, TruncatedData) {
  const auto img = good();
  expect_error(img.substr(0, img.size() - 4), "outside");
}

TEST_F(SafetensorsMalformed, TruncatedHeader) {
  expect_error(good().substr(0, 20), "exceeds the file size");
  expect_error("abc", "truncated");
}

TEST_F(SafetensorsMalformed, HeaderLiesAboutShape) {
  auto img = good();
  img.replace(img.find("[4,4]"), 5, "[4,5]");
  expect_error(img, "need 80 bytes but data_offsets span 64");
}

TEST_F(SafetensorsMalformed, HeaderLengthLies) {
  auto img = good();
  img[0] = static_cast<char>(0xff);
  img[1] = static_cast<char>(0xff);
  img[5] = 1;
  expect_error(img, "exceeds the file size");
}

TEST_F(SafetensorsMalformed, BadJsonAndDtypes) {
  auto img = good();
  img.replace(img.find('{'), 1, "[");
  expect_error(img, "not valid JSON");
  auto img2 = good();
  img2.replace(img2.find("F32"), 3, "Q32");
  expect_error(img2, "unknown dtype 'Q32'");
  auto img3 = good();
  img3.replace(img3.find("[4,4]"), 5, "[4,-4]");
  expect_error(img3, "negative");
}

TEST_F(SafetensorsMalformed, StrictWhereTheFormatIsStrict) {
  const auto img = fixtures::safetensors_image(
      {{"a", "F32", {2, 2}, fixtures::iota_values(4)}, {"b", "F32", {2, 2}, fixtures::iota_values(4)}});
  auto dup = img;  // the JSON parser alone would keep one of two equal keys
  dup.replace(dup.find("\"b\""), 3, "\"a\"");
  expect_error(dup, "named twice");
  auto overlap = img;  // b starts inside a
  overlap.replace(overlap.find("[16,32]"), 7, "[8,24] ");
  expect_error(overlap, "overlapping");
  auto gap = img;
  gap.replace(gap.find("[16,32]"), 7, "[20,36]");
  expect_error(gap, "outside");
  auto nul = img;  // NUL instead of the space padding
  const auto pad = nul.find("} ");
  if (pad != std::string::npos) {
    nul[pad + 1] = '\0';
    expect_error(nul, "NUL byte");
  }
  auto junk = img;
  const auto end = junk.rfind('}', 8 + (static_cast<unsigned char>(junk[0]) | static_cast<unsigned char>(junk[1]) << 8));
  junk.replace(end, 1, "x");
  expect_error(junk, "does not end with its JSON object");
  auto extra = img + std::string(4, '\0');  // bytes after the last tensor
  expect_error(extra, "tensors cover");
}

TEST_F(SafetensorsMalformed, DeeplyNestedHeaderIsRefusedWithoutRecursion) {
  // 200,000 nested arrays in __metadata__ used to exhaust the stack while parsing.
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  std::string header = "{\"__metadata__\":" + deep + "}";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string img;
  const std::uint64_t n = header.size();
  for (int b = 0; b < 8; ++b) img.push_back(static_cast<char>((n >> (8 * b)) & 0xff));
  expect_error(img + header, "nested more than 16 levels");
}

TEST(Errors, MessagesStayOnOneLine) {
  const InputError e("dir/a\nb.safetensors", std::string("tensor 'x\ty\x01z' is bad\r\n") + std::string(5000, 'n'));
  const std::string m = e.what();
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_EQ(m.find('\r'), std::string::npos);
  EXPECT_NE(m.find("a\\nb.safetensors"), std::string::npos);
  EXPECT_NE(m.find("x\\ty\\x01z"), std::string::npos);
  EXPECT_LT(m.size(), 1500u);  // long text is cut
  EXPECT_EQ(e.path(), "dir/a\nb.safetensors");  // the raw path is kept for programs
}
