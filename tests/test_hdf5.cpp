// HDF5 loader: generic files (every float dataset) and Keras weight files (model order,
// Keras layer names, Keras orientation), written here with the HDF5 C API.
#include <gtest/gtest.h>
#include <hdf5.h>

#include "fixtures.hpp"
#include "setol/error.hpp"
#include "setol/layer.hpp"
#include "setol/model_reader.hpp"

using namespace setol;
using fixtures::TempDir;

namespace {

void dataset(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims, const std::vector<double>& v,
             hid_t file_type) {
  hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t d = H5Dcreate2(loc, name.c_str(), file_type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(d);
  H5Pclose(lcpl);
  H5Sclose(space);
}

void string_list_attr(hid_t obj, const char* name, const std::vector<std::string>& items) {
  std::size_t len = 1;
  for (const auto& s : items) len = std::max(len, s.size());
  std::string buf(len * items.size(), '\0');
  for (std::size_t i = 0; i < items.size(); ++i) buf.replace(i * len, items[i].size(), items[i]);
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, len);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  hsize_t n = items.size();
  hid_t space = H5Screate_simple(1, &n, nullptr);
  hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, type, buf.data());
  H5Aclose(a);
  H5Sclose(space);
  H5Tclose(type);
}

}  // namespace

TEST(Hdf5, GenericFileListsFloatDatasetsInNaturalOrder) {
  TempDir dir;
  const auto p = (dir / "w.h5").string();
  hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const auto v12 = fixtures::iota_values(12);
  dataset(f, "block10/w", {3, 4}, v12, H5T_IEEE_F64BE);  // big-endian on disk
  dataset(f, "block2/w", {4, 3}, v12, H5T_IEEE_F32LE);
  dataset(f, "block2/ids", {12}, v12, H5T_STD_I32LE);
  H5Fclose(f);
  auto m = open_model(p);
  EXPECT_EQ(m->format(), "hdf5");
  ASSERT_EQ(m->tensors().size(), 3u);
  EXPECT_EQ(m->tensors()[0].name, "block2/ids");
  EXPECT_EQ(m->tensors()[1].name, "block2/w");
  EXPECT_EQ(m->tensors()[2].name, "block10/w");
  EXPECT_EQ(m->tensors()[0].dtype, DType::Other);
  EXPECT_EQ(classify_tensor(m->tensors()[0]).type, LayerType::NotALayer);
  EXPECT_EQ(to_f64(m->load(1)), v12);
  EXPECT_EQ(to_f64(m->load(2)), v12);
}

TEST(Hdf5, KerasWeightFileFollowsLayerNames) {
  TempDir dir;
  const auto p = (dir / "k.h5").string();
  hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t mw = H5Gcreate2(f, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  string_list_attr(mw, "layer_names", {"conv", "pool", "dense"});  // model order, not alphabetical
  const auto k = fixtures::iota_values(2 * 2 * 3 * 5);
  dataset(mw, "conv/conv/kernel:0", {2, 2, 3, 5}, k, H5T_IEEE_F32LE);
  dataset(mw, "conv/conv/bias:0", {5}, fixtures::iota_values(5), H5T_IEEE_F32LE);
  dataset(mw, "dense/dense/kernel:0", {20, 10}, fixtures::iota_values(200), H5T_IEEE_F32LE);
  for (const char* layer : {"conv", "pool", "dense"}) {
    hid_t g = H5Gopen2(mw, layer, H5P_DEFAULT);
    if (g < 0) g = H5Gcreate2(mw, layer, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (std::string(layer) == "conv") string_list_attr(g, "weight_names", {"conv/kernel:0", "conv/bias:0"});
    if (std::string(layer) == "dense") string_list_attr(g, "weight_names", {"dense/kernel:0"});
    H5Gclose(g);
  }
  H5Gclose(mw);
  H5Fclose(f);

  auto m = open_model(p);
  EXPECT_EQ(m->format(), "keras-h5");
  ASSERT_EQ(m->tensors().size(), 3u);
  EXPECT_EQ(m->tensors()[0].name, "conv");
  EXPECT_EQ(m->tensors()[1].name, "conv.bias");
  EXPECT_EQ(m->tensors()[2].name, "dense");
  EXPECT_EQ(m->tensors()[0].layout, Layout::Keras);
  const auto g = classify_tensor(m->tensors()[0]);
  EXPECT_EQ(g.type, LayerType::Conv2D);
  EXPECT_EQ(g.N, 5);  // out
  EXPECT_EQ(g.M, 3);  // in
  EXPECT_EQ(g.rf, 4);
  EXPECT_EQ(classify_tensor(m->tensors()[1]).type, LayerType::NotALayer);
  EXPECT_EQ(to_f64(m->load(0)), k);
}

TEST(Hdf5, TruncatedOrGarbageFileIsAnInputError) {
  TempDir dir;
  const auto p = (dir / "w.h5").string();
  hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  dataset(f, "w", {100, 100}, fixtures::iota_values(10000), H5T_IEEE_F32LE);
  H5Fclose(f);
  const auto bytes = fixtures::read_bytes(p);
  fixtures::write_bytes(dir / "cut.h5", bytes.substr(0, bytes.size() / 2));
  EXPECT_THROW(open_model(dir / "cut.h5"), InputError);
  fixtures::write_bytes(dir / "junk.h5", "this is not hdf5");
  try {
    open_model(dir / "junk.h5");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos);
  }
}

// A dataset whose object header is damaged (its version byte overwritten) is still listed by
// the link walk; the file is an InputError naming it, not a model without that tensor.
TEST(Hdf5, DamagedObjectHeaderIsAnInputErrorNotAMissingTensor) {
  TempDir dir;
  const auto p = (dir / "w.h5").string();
  hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  dataset(f, "a", {3, 4}, fixtures::iota_values(12), H5T_IEEE_F32LE);
  dataset(f, "b", {3, 4}, fixtures::iota_values(12), H5T_IEEE_F32LE);
  H5O_info_t oi;
  ASSERT_GE(H5Oget_info_by_name(f, "b", &oi, H5P_DEFAULT), 0);
  H5Fclose(f);
  std::string bytes = fixtures::read_bytes(p);
  ASSERT_LT(oi.addr, bytes.size());
  ASSERT_EQ(bytes[oi.addr], 1);  // a version 1 object header (HDF5 1.10's default)
  bytes[oi.addr] = 7;
  fixtures::write_bytes(dir / "damaged.h5", bytes);
  try {
    open_model(dir / "damaged.h5");
    FAIL() << "a damaged dataset was silently left out";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("object '/b' cannot be read"), std::string::npos) << e.what();
  }
}
