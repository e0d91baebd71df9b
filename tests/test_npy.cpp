// .npy loader: round trips for every supported dtype, byte order, storage order and
// format version; malformed files give an InputError naming the file.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "io/npy_format.hpp"
#include "setol/error.hpp"
#include "setol/model_reader.hpp"

using namespace setol;
using fixtures::TempDir;

namespace {

std::vector<double> load_c_order(const std::filesystem::path& p) {
  auto m = open_model(p);
  return to_f64(m->load(0));
}

}  // namespace

TEST(Npy, RoundTripsEveryDtypeOrderAndVersion) {
  TempDir dir;
  const auto values = fixtures::iota_values(12, -1.5, 0.25);  // exact in f16/f32/f64
  for (const std::string descr : {"<f2", "<f4", "<f8", ">f2", ">f4", ">f8"}) {
    for (int version : {1, 2, 3}) {
      const auto p = dir / ("t" + descr.substr(1) + (descr[0] == '>' ? "be" : "le") + std::to_string(version) + ".npy");
      fixtures::write_bytes(p, fixtures::npy_image({3, 4}, values, descr, false, version));
      auto m = open_model(p);
      ASSERT_EQ(m->tensors().size(), 1u);
      EXPECT_EQ(m->tensors()[0].shape, (std::vector<std::int64_t>{3, 4}));
      EXPECT_EQ(m->tensors()[0].name, p.stem().string());
      EXPECT_EQ(load_c_order(p), values) << descr << " v" << version;
    }
  }
}

TEST(Npy, FortranOrderIsReadInCOrder) {
  TempDir dir;
  // C-order matrix [[1,2,3],[4,5,6]] stored column-major: 1,4,2,5,3,6.
  fixtures::write_bytes(dir / "f.npy", fixtures::npy_image({2, 3}, {1, 4, 2, 5, 3, 6}, "<f8", true));
  EXPECT_EQ(load_c_order(dir / "f.npy"), (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST(Npy, FolderIsNaturallySorted) {
  TempDir dir;
  for (const char* n : {"layer10", "layer2", "layer1"})
    fixtures::write_bytes(dir / (std::string(n) + ".npy"), fixtures::npy_image({2, 2}, {1, 2, 3, 4}));
  fixtures::write_bytes(dir / "notes.txt", "ignored");
  auto m = open_model(dir.path());
  ASSERT_EQ(m->tensors().size(), 3u);
  EXPECT_EQ(m->tensors()[0].name, "layer1");
  EXPECT_EQ(m->tensors()[1].name, "layer2");
  EXPECT_EQ(m->tensors()[2].name, "layer10");
  EXPECT_EQ(m->format(), "npy-dir");
}

TEST(Npy, NaturalLess) {
  EXPECT_TRUE(natural_less("a2", "a10"));
  EXPECT_FALSE(natural_less("a10", "a2"));
  EXPECT_TRUE(natural_less("block.9.fc", "block.10.fc"));
  EXPECT_TRUE(natural_less("a", "b"));
  EXPECT_FALSE(natural_less("x1", "x1"));
}

class NpyMalformed : public ::testing::Test {
 protected:
  void expect_error(const std::string& bytes, const std::string& fragment) {
    fixtures::expect_input_error([](const auto& p) { return open_model(p); }, dir_ / "bad.npy", bytes, fragment);
  }
  TempDir dir_;
};

TEST_F(NpyMalformed, Truncated) {
  const auto img = fixtures::npy_image({10, 10}, fixtures::iota_values(100));
  expect_error(img.substr(0, img.size() - 7), "does not match the header");
}

TEST_F(NpyMalformed, HeaderLiesAboutShape) {
  auto img = fixtures::npy_image({10, 10}, fixtures::iota_values(100));
  const auto at = img.find("(10, 10)");
  img.replace(at, 8, "(10, 99)");
  expect_error(img, "does not match the header");
}

TEST_F(NpyMalformed, HugeShapeDoesNotOverflow) {
  auto img = fixtures::npy_image({10, 10}, fixtures::iota_values(100));
  img.replace(img.find("(10, 10)"), 8, "(999999999999999, 999999999999999)");
  expect_error(img, "overflows");
}

TEST_F(NpyMalformed, WrongDtype) {
  auto img = fixtures::npy_image({2, 2}, {1, 2, 3, 4}, "<f8");
  img.replace(img.find("<f8"), 3, "<c8");  // complex: not read
  expect_error(img, "unsupported dtype '<c8'");
  // Integers are listed (as skipped rows), with the data size checked by their own width.
  bool big = false;
  EXPECT_EQ(setol::io::npy_descr_dtype("<i8", big), DType::Integer);
  EXPECT_EQ(setol::io::npy_descr_dtype("|u1", big), DType::Integer);
}

TEST_F(NpyMalformed, BadMagicVersionAndHeader) {
  expect_error("not a numpy file at all", "bad magic");
  auto img = fixtures::npy_image({2, 2}, {1, 2, 3, 4});
  img[6] = 9;
  expect_error(img, "version 9");
  auto img2 = fixtures::npy_image({2, 2}, {1, 2, 3, 4});
  img2[8] = static_cast<char>(0xff);
  img2[9] = static_cast<char>(0x7f);
  expect_error(img2, "truncated .npy header");
}

TEST(Npy, MissingFile) {
  try {
    open_model("/nonexistent/model.npy");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no such file"), std::string::npos);
  }
}
