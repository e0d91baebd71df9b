// Parsing of the NumPy .npy header (format versions 1.0, 2.0 and 3.0).
#pragma once
#include <cstddef>
#include <string>

#include "setol/tensor.hpp"

namespace setol::io {

struct NpyHeader {
  TensorInfo info;          // shape, dtype, byte order, fortran order
  std::size_t data_offset;  // where the elements start
};

// Parses and checks the header of a .npy image of `size` bytes. Checks that the
// data the header promises fits the file exactly. Throws InputError(path, ...).
NpyHeader parse_npy(const std::byte* data, std::size_t size, const std::string& path);

// Maps an .npy descr ("<f4", ">f8", "<f2", "|u1"...) to a DType and byte order.
// Returns DType::Other for non-float types.
DType npy_descr_dtype(const std::string& descr, bool& big_endian);

}  // namespace setol::io
