#include "io/input_formats.hpp"

#include "io/readers.hpp"

namespace setol::io {
namespace {

using Files = std::vector<std::filesystem::path>;

std::unique_ptr<ModelReader> open_index(const Files& f, bool) { return open_safetensors_index(f.front()); }
std::unique_ptr<ModelReader> open_shards(const Files& f, bool) { return open_safetensors(f); }
std::unique_ptr<ModelReader> open_npy(const Files& f, bool from_folder) { return open_npy_files(f, from_folder); }
std::unique_ptr<ModelReader> open_h5(const Files& f, bool) { return open_hdf5(f.front()); }

}  // namespace

const std::vector<InputFormat>& input_formats() {
  using F = InputFormat::InFolder;
  static const std::vector<InputFormat> formats = {
      {"safetensors-index", {".safetensors.index.json"}, "", F::One, open_index},
      {"safetensors", {".safetensors"}, "", F::All, open_shards},
      {"npy", {".npy"}, std::string_view("\x93NUMPY", 6), F::All, open_npy},
      {"hdf5", {".h5", ".hdf5"}, std::string_view("\x89HDF\r\n\x1a\n", 8), F::One, open_h5},
  };
  return formats;
}

}  // namespace setol::io
