// Writes small HDF5 seeds for fuzz_hdf5 (tests/fuzz/README.md): a few KB each, so that the
// harness runs hundreds of inputs a second instead of tens with the 444 KB corpus file.
//   g++ -std=c++20 make_hdf5_seeds.cpp -I/usr/include/hdf5/serial
//       -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5 -o make_hdf5_seeds   (one line)
//   ./make_hdf5_seeds seeds/hdf5
#include <hdf5.h>

#include <string>
#include <vector>

#include "../hdf5_writers.hpp"

using hdf5_writers::dataset;
using hdf5_writers::string_list_attr;

namespace {

std::vector<double> values(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = 0.25 * static_cast<double>(i) - 1;
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::string dir = argv[1];
  hid_t f = H5Fcreate((dir + "/small_generic.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  dataset(f, "block1/w", {3, 4}, values(12), H5T_IEEE_F32LE);
  dataset(f, "block2/w", {4, 3}, values(12), H5T_IEEE_F64BE, H5D_CHUNKED);
  dataset(f, "block3/w", {2, 3}, values(6), H5T_IEEE_F32LE, H5D_COMPACT);
  dataset(f, "block2/ids", {6}, values(6), H5T_STD_I32LE);
  H5Fclose(f);
  f = H5Fcreate((dir + "/small_keras.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t mw = H5Gcreate2(f, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  string_list_attr(mw, "layer_names", {"dense", "conv"}, true);
  dataset(mw, "dense/dense/kernel:0", {4, 3}, values(12), H5T_IEEE_F32LE);
  dataset(mw, "conv/conv/kernel:0", {2, 2, 2, 3}, values(24), H5T_IEEE_F32BE, H5D_CHUNKED);
  for (const char* layer : {"dense", "conv"}) {
    hid_t g = H5Gopen2(mw, layer, H5P_DEFAULT);
    string_list_attr(g, "weight_names", {std::string(layer) + "/kernel:0"}, true);
    H5Gclose(g);
  }
  H5Gclose(mw);
  H5Fclose(f);
  return 0;
}
