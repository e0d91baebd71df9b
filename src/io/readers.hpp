// Format-specific readers behind setol::open_model (internal).
#pragma once
#include <filesystem>
#include <memory>
#include <vector>

#include "setol/model_reader.hpp"

namespace setol::io {

// One .npy file (one tensor) or several, in the given order.
std::unique_ptr<ModelReader> open_npy_files(const std::vector<std::filesystem::path>& files, bool is_dir);

// One or several .safetensors shards, tensors in file order (by data offset), shards in the given order.
std::unique_ptr<ModelReader> open_safetensors(const std::vector<std::filesystem::path>& shards);

// A sharded checkpoint described by model.safetensors.index.json (the index is authoritative).
std::unique_ptr<ModelReader> open_safetensors_index(const std::filesystem::path& index_json);

// HDF5: Keras weight files by their layer_names attribute, other files by every float dataset.
std::unique_ptr<ModelReader> open_hdf5(const std::filesystem::path& file);

// Keras 3 .keras archives (config.json + model.weights.h5).
std::unique_ptr<ModelReader> open_keras(const std::filesystem::path& file);

// For the fuzz harnesses only: the contained libhdf5 child of a file serves the next file of the
// same path and kind too (a fuzzer's persistent mode; hdf5_reader.cpp). Off unless called.
void reuse_hdf5_children(bool on);

// PyTorch torch.save checkpoints, zip or legacy format (.bin, .pt, .pth, .ckpt).
std::unique_ptr<ModelReader> open_torch(const std::filesystem::path& file);

// A sharded PyTorch checkpoint described by pytorch_model.bin.index.json.
std::unique_ptr<ModelReader> open_torch_index(const std::filesystem::path& index_json);

// GGUF v2/v3 (llama.cpp), quantized tensors decoded on the fly.
std::unique_ptr<ModelReader> open_gguf(const std::filesystem::path& file);

// ONNX models: initializers and Constant tensors, external data inside the model's folder.
std::unique_ptr<ModelReader> open_onnx(const std::filesystem::path& file);

// NumPy .npz archives (stored or deflated members).
std::unique_ptr<ModelReader> open_npz(const std::filesystem::path& file);

// A ZIP recognised by its content: a PyTorch checkpoint (*/data.pkl) or an .npz (*.npy members).
std::unique_ptr<ModelReader> open_zip_by_content(const std::filesystem::path& file);

}  // namespace setol::io
