// The list of tensors a contained reader process sends back to setol (internal; see
// io/contained_process.hpp): each tensor's name, shape, dtype, byte order and layout, with a
// reader-specific locator (e.g. the HDF5 dataset path). Decoding checks every count and value
// as if it came from the file itself.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "setol/tensor.hpp"

namespace setol::io {

struct ListedTensor {
  TensorInfo info;      // name, shape, dtype, dtype_text, big_endian, layout
  std::string locator;  // where the reader finds it
};

std::string encode_tensor_list(const std::string& format, const std::vector<ListedTensor>& tensors);
// Throws InputError(path, ...) on a malformed list.
std::pair<std::string, std::vector<ListedTensor>> decode_tensor_list(const std::string& bytes, const std::string& path);

}  // namespace setol::io
