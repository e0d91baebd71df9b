#include "io/input_formats.hpp"

#include "io/readers.hpp"
#include "io/zip_archive.hpp"
#include "setol/error.hpp"

namespace setol::io {
namespace {

using Files = std::vector<std::filesystem::path>;

std::unique_ptr<ModelReader> open_index(const Files& f, bool) { return open_safetensors_index(f.front()); }
std::unique_ptr<ModelReader> open_shards(const Files& f, bool) { return open_safetensors(f); }
std::unique_ptr<ModelReader> open_npy(const Files& f, bool from_folder) { return open_npy_files(f, from_folder); }
std::unique_ptr<ModelReader> open_h5(const Files& f, bool) { return open_hdf5(f.front()); }
std::unique_ptr<ModelReader> open_pt_index(const Files& f, bool) { return open_torch_index(f.front()); }
std::unique_ptr<ModelReader> open_pt(const Files& f, bool) { return open_torch(f.front()); }
std::unique_ptr<ModelReader> open_npz_file(const Files& f, bool) { return open_npz(f.front()); }
std::unique_ptr<ModelReader> open_zip(const Files& f, bool) { return open_zip_by_content(f.front()); }
std::unique_ptr<ModelReader> open_gguf_file(const Files& f, bool) { return open_gguf(f.front()); }
std::unique_ptr<ModelReader> open_onnx_file(const Files& f, bool) { return open_onnx(f.front()); }
std::unique_ptr<ModelReader> open_keras_file(const Files& f, bool) { return open_keras(f.front()); }

}  // namespace

std::unique_ptr<ModelReader> open_zip_by_content(const std::filesystem::path& file) {
  const ZipArchive zip(file);
  bool all_npy = !zip.entries().empty();
  for (const auto& e : zip.entries()) {
    const auto slash = e.name.find('/');
    if (slash != std::string::npos && e.name.substr(slash + 1) == "data.pkl") return open_torch(file);
    if (e.name == "model.weights.h5") return open_keras(file);
    all_npy &= e.name.size() > 4 && e.name.ends_with(".npy");
  }
  if (all_npy) return open_npz(file);
  throw InputError(file.string(), "a ZIP that is neither a PyTorch checkpoint (*/data.pkl), a Keras 3 archive (model.weights.h5) nor an .npz (*.npy members)");
}

const std::vector<InputFormat>& input_formats() {
  using F = InputFormat::InFolder;
  static const std::vector<InputFormat> formats = {
      {"safetensors-index", {".safetensors.index.json"}, "", F::One, open_index},
      {"safetensors", {".safetensors"}, "", F::All, open_shards},
      {"pytorch-index", {".bin.index.json", ".pt.index.json"}, "", F::One, open_pt_index},
      {"pytorch", {".bin", ".pt", ".pth", ".ckpt"}, std::string_view("\x80\x02", 2), F::One, open_pt},
      {"npz", {".npz"}, "", F::One, open_npz_file},
      {"gguf", {".gguf"}, "GGUF", F::One, open_gguf_file},
      {"onnx", {".onnx"}, "", F::One, open_onnx_file},
      {"keras", {".keras"}, "", F::One, open_keras_file},
      {"npy", {".npy"}, std::string_view("\x93NUMPY", 6), F::All, open_npy},
      {"hdf5", {".h5", ".hdf5"}, std::string_view("\x89HDF\r\n\x1a\n", 8), F::One, open_h5},
      {"zip", {}, std::string_view("PK\x03\x04", 4), F::No, open_zip},
  };
  return formats;
}

}  // namespace setol::io
