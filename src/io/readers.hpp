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

}  // namespace setol::io
