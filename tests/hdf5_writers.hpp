// Writing small HDF5 files with the HDF5 C API, for tests/test_hdf5.cpp and the fuzz seeds
// (tests/fuzz/make_hdf5_seeds.cpp).
#pragma once
#include <hdf5.h>

#include <algorithm>
#include <string>
#include <vector>

namespace hdf5_writers {

// A dataset of `file_type` holding v (converted by HDF5), stored in `layout`: chunked datasets
// use 2x...x2 chunks and deflate; compact ones keep their data in the object header (64 KB at
// most). Intermediate groups are created.
inline void dataset(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims, const std::vector<double>& v,
                    hid_t file_type, H5D_layout_t layout = H5D_CONTIGUOUS) {
  hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (layout == H5D_CHUNKED) {
    const std::vector<hsize_t> chunk(dims.size(), 2);
    H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
    H5Pset_deflate(dcpl, 1);
  } else if (layout == H5D_COMPACT) {
    H5Pset_layout(dcpl, H5D_COMPACT);
  }
  hid_t d = H5Dcreate2(loc, name.c_str(), file_type, space, lcpl, dcpl, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(d);
  H5Pclose(dcpl);
  H5Pclose(lcpl);
  H5Sclose(space);
}

// A 1-D string attribute: fixed-length NUL-padded strings (Keras 2, older h5py) or, with
// `variable`, variable-length UTF-8 strings (as h5py writes a list of str).
inline void string_list_attr(hid_t obj, const char* name, const std::vector<std::string>& items, bool variable = false) {
  std::vector<const char*> ptrs;  // variable length: one pointer per string
  std::string buf;                // fixed length: the strings back to back, each padded to len
  hid_t type = H5Tcopy(H5T_C_S1);
  if (variable) {
    for (const auto& s : items) ptrs.push_back(s.c_str());
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
  } else {
    std::size_t len = 1;
    for (const auto& s : items) len = std::max(len, s.size());
    buf.assign(len * items.size(), '\0');
    for (std::size_t i = 0; i < items.size(); ++i) buf.replace(i * len, items[i].size(), items[i]);
    H5Tset_size(type, len);
    H5Tset_strpad(type, H5T_STR_NULLPAD);
  }
  const hsize_t n = items.size();
  hid_t space = H5Screate_simple(1, &n, nullptr);
  hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, type, variable ? static_cast<const void*>(ptrs.data()) : static_cast<const void*>(buf.data()));
  H5Aclose(a);
  H5Sclose(space);
  H5Tclose(type);
}

}  // namespace hdf5_writers
