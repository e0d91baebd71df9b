// HDF5 loader: generic files (every float dataset) and Keras weight files (model order,
// Keras layer names, Keras orientation), written here with the HDF5 C API.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "fixtures.hpp"
#include "hdf5_writers.hpp"
#include "io/contained_process.hpp"
#include "io/readers.hpp"
#include "setol/error.hpp"
#include "setol/layer.hpp"
#include "setol/model_reader.hpp"

using namespace setol;
using fixtures::TempDir;

using hdf5_writers::dataset;
using hdf5_writers::string_list_attr;

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
 for (const bool variable : {false, true}) {
  SCOPED_TRACE(variable ? "variable-length names" : "fixed-length names");
  TempDir dir;
  const auto p = (dir / "k.h5").string();
  hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t mw = H5Gcreate2(f, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  string_list_attr(mw, "layer_names", {"conv", "pool", "dense"}, variable);  // model order, not alphabetical
  const auto k = fixtures::iota_values(2 * 2 * 3 * 5);
  dataset(mw, "conv/conv/kernel:0", {2, 2, 3, 5}, k, H5T_IEEE_F32LE);
  dataset(mw, "conv/conv/bias:0", {5}, fixtures::iota_values(5), H5T_IEEE_F32LE);
  dataset(mw, "dense/dense/kernel:0", {20, 10}, fixtures::iota_values(200), H5T_IEEE_F32LE);
  for (const char* layer : {"conv", "pool", "dense"}) {
    hid_t g = H5Gopen2(mw, layer, H5P_DEFAULT);
    if (g < 0) g = H5Gcreate2(mw, layer, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (std::string(layer) == "conv") string_list_attr(g, "weight_names", {"conv/kernel:0", "conv/bias:0"}, variable);
    if (std::string(layer) == "dense") string_list_attr(g, "weight_names", {"dense/kernel:0"}, variable);
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

// A chunked dataset reads its unwritten chunks as the fill value: one that was never written, or
// that declares far more than any filter could expand its stored chunks to, is refused before
// anything is allocated (a few KB of file must not make setol fill gigabytes).
TEST(Hdf5, ChunkedDatasetsThatStoreNothingAreRefusedBeforeReading) {
  TempDir dir;
  const auto p = (dir / "w.h5").string();
  hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t dims[2] = {50000, 50000}, chunk[2] = {100, 100};
  hid_t space = H5Screate_simple(2, dims, nullptr);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 2, chunk);
  hid_t d = H5Dcreate2(f, "never_written", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Dclose(d);
  // One chunk of 100x100 written: 40 KB stored of a declared 10 GB.
  d = H5Dcreate2(f, "one_chunk", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  const hsize_t start[2] = {0, 0};
  hid_t file_space = H5Dget_space(d);
  H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, chunk, nullptr);
  hid_t mem_space = H5Screate_simple(2, chunk, nullptr);
  const auto v = fixtures::iota_values(10000);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, mem_space, file_space, H5P_DEFAULT, v.data());
  H5Sclose(mem_space);
  H5Sclose(file_space);
  H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(f);
  auto m = open_model(p);
  ASSERT_EQ(m->tensors().size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string name = m->tensors()[i].name;
    EXPECT_EQ(m->tensors()[i].shape, (std::vector<std::int64_t>{50000, 50000}));
    try {
      m->load(i);
      ADD_FAILURE() << name << " was read";
    } catch (const InputError& e) {
      const std::string why = name == "never_written" ? "was never written" : "stores only 40000";
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  }
}

// Finding 12 (docs/reliability.md): an input of the hdf5 fuzz campaign, 8672 bytes, whose damaged
// chunk index claims 4,412,407,864 bytes stored for a chunked dataset declared at 4 x 268894211
// float64 (8.6 GB). Before the fix the stored size passed the 1100:1 check, and the child
// allocated and zeroed the 8.6 GB before libhdf5 failed (a variant with 64 x 16805888 took setol
// 50 s and 17 GB of RSS). Now it is refused before anything is allocated.
TEST(Hdf5, AChunkIndexClaimingMoreThanTheFileIsRefusedBeforeReading) {
  const std::string p = std::string(SETOL_SOURCE_DIR) +
                        "/tests/fuzz/regressions/hdf5/hdf5-chunk-index-claims-gigabytes-0094f4b6c718f904035f9344d2d5abf8c67365e0";
  auto m = open_model(p, "hdf5");
  bool seen = false;
  for (std::size_t i = 0; i < m->tensors().size(); ++i) {
    if (m->tensors()[i].name.find("klock2") == std::string::npos) continue;
    seen = true;
    EXPECT_EQ(m->tensors()[i].shape, (std::vector<std::int64_t>{4, 268894211}));
    try {
      m->load(i);
      ADD_FAILURE() << "the dataset was read";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("claims 4412407864 bytes stored in a file of 8672"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_TRUE(seen);
}

TEST(Hdf5, CompactDatasetsAreReadLikeContiguousOnes) {
  TempDir dir;
  const auto p = (dir / "c.h5").string();
  hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const auto v12 = fixtures::iota_values(12);
  dataset(f, "a/w", {3, 4}, v12, H5T_IEEE_F32LE, H5D_COMPACT);
  dataset(f, "b/w", {4, 3}, v12, H5T_IEEE_F64BE, H5D_COMPACT);
  H5Fclose(f);
  auto m = open_model(p);
  ASSERT_EQ(m->tensors().size(), 2u);
  EXPECT_EQ(m->tensors()[0].shape, (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(to_f64(m->load(0)), v12);
  EXPECT_EQ(to_f64(m->load(1)), v12);
}

// Finding 13 of fuzz_hdf5 (docs/reliability.md): a compact dataset whose header declares
// 3 x 1280262983 float32 over an empty buffer, which libhdf5 would fill with the fill value.
TEST(Hdf5, ACompactDatasetDeclaringMoreThanItHoldsIsRefusedAtListing) {
  const std::string p = std::string(SETOL_SOURCE_DIR) +
                        "/tests/fuzz/regressions/hdf5/hdf5-compact-declares-gigabytes-fe257828804a2c7f5f4ea2601c6d202a24cae824";
  try {
    open_model(p, "hdf5");
    ADD_FAILURE() << "the file was listed";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("dataset /block1/w declares 15363155796 bytes but its compact storage holds 0"),
              std::string::npos)
        << e.what();
  }
}

namespace {
// The libhdf5 children this test process has running (one thread opens them all).
std::vector<pid_t> running_children() {
  std::ifstream in("/proc/self/task/" + std::to_string(gettid()) + "/children");
  std::vector<pid_t> pids;
  for (pid_t pid = 0; in >> pid;) pids.push_back(pid);
  return pids;
}

// Rewrites `path` in place (same inode), as the fuzz harness does, with a file of these datasets.
// It is written beside it first: the child may still hold (and lock) the previous file there.
void write_generic(const std::string& path, const std::vector<std::pair<std::string, std::vector<hsize_t>>>& sets) {
  const std::string beside = path + ".new";
  hid_t f = H5Fcreate(beside.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  for (const auto& [name, dims] : sets) {
    hsize_t n = 1;
    for (const hsize_t d : dims) n *= d;
    dataset(f, name, dims, fixtures::iota_values(n), H5T_IEEE_F32LE);
  }
  H5Fclose(f);
  fixtures::write_bytes(path, fixtures::read_bytes(beside));
}
}  // namespace

// The fuzz harnesses' persistent mode (io::reuse_hdf5_children): one child serves file after
// file at the same path, each rewritten in place, and must read each afresh; a child that died
// is replaced. Without reuse every file has a child of its own.
TEST(Hdf5, AReusedChildReadsEachFileAfresh) {
  TempDir dir;
  const auto p = (dir / "w.h5").string();
  const std::string keras_h5 = fixtures::read_bytes(std::string(SETOL_TEST_DATA) + "/formats/cnn-keras/model_keras2.h5");
  const auto names = [](const ModelReader& m) {
    std::vector<std::string> out;
    for (const auto& t : m.tensors()) out.push_back(t.name);
    return out;
  };
  for (const bool reuse : {false, true}) {
    SCOPED_TRACE(reuse ? "reused child" : "child per file");
    io::reuse_hdf5_children(reuse);
    const std::size_t first = io::ContainedProcess::started();
    write_generic(p, {{"a", {3, 4}}});
    EXPECT_EQ(names(*open_model(p)), (std::vector<std::string>{"a"}));
    write_generic(p, {{"b", {5, 2}}, {"c", {7}}});
    {
      const auto m = open_model(p);
      ASSERT_EQ(names(*m), (std::vector<std::string>{"b", "c"}));
      EXPECT_EQ(to_f64(m->load(0)), fixtures::iota_values(10));
      EXPECT_EQ(to_f64(m->load(1)), fixtures::iota_values(7));
    }
    fixtures::write_bytes(p, keras_h5);
    EXPECT_EQ(open_model(p)->format(), "keras-h5");
    fixtures::write_bytes(p, "this is not hdf5");
    EXPECT_THROW(open_model(p), InputError);
    write_generic(p, {{"d", {2, 2}}});
    EXPECT_EQ(names(*open_model(p)), (std::vector<std::string>{"d"}));
    EXPECT_EQ(io::ContainedProcess::started() - first, reuse ? 1u : 5u);
    if (!reuse) continue;
    // The reused child is killed, as a crash of libhdf5 would end it: the next file gets a new one.
    const auto pids = running_children();
    ASSERT_EQ(pids.size(), 1u);
    ASSERT_EQ(kill(pids[0], SIGKILL), 0);
    waitpid(pids[0], nullptr, 0);
    write_generic(p, {{"e", {3, 3}}});
    const auto m = open_model(p);
    EXPECT_EQ(names(*m), (std::vector<std::string>{"e"}));
    EXPECT_EQ(to_f64(m->load(0)), fixtures::iota_values(9));
    EXPECT_EQ(io::ContainedProcess::started() - first, 2u);
  }
  io::reuse_hdf5_children(false);
}

// Finding 14 of fuzz_hdf5 (docs/reliability.md): on this damaged file libhdf5 1.10 fails to
// close the file ("Pinned entry count not decreasing") and keeps it open in the child. A reused
// child that holds it is replaced before it serves another file; before the fix, the next file
// at the same path ended the harness with std::logic_error ("libhdf5 still holds 1 objects").
TEST(Hdf5, AReusedChildThatCouldNotCloseAFileIsReplaced) {
  const std::string damaged = fixtures::read_bytes(
      std::string(SETOL_SOURCE_DIR) +
      "/tests/fuzz/regressions/hdf5/hdf5-file-stays-open-after-close-759779529eb71839b64dce7fb205fad67ba16bbc");
  TempDir dir;
  const auto p = (dir / "w.h5").string();
  io::reuse_hdf5_children(true);
  const std::size_t first = io::ContainedProcess::started();
  for (int i = 0; i < 2; ++i) {  // the second time, the child of the first is asked to close it
    fixtures::write_bytes(p, damaged);
    EXPECT_THROW(open_model(p), InputError);
  }
  write_generic(p, {{"a", {3, 4}}});
  const auto m = open_model(p);
  ASSERT_EQ(m->tensors().size(), 1u);
  EXPECT_EQ(m->tensors()[0].name, "a");
  EXPECT_EQ(to_f64(m->load(0)), fixtures::iota_values(12));
  EXPECT_EQ(io::ContainedProcess::started() - first, 3u);  // one child per file: none was reused
  io::reuse_hdf5_children(false);
}
