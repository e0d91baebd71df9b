// Hugging Face shard indexes (model.safetensors.index.json, pytorch_model.bin.index.json):
// {"metadata": {...}, "weight_map": {tensor name: shard file}}. The index is authoritative:
// only the tensors it lists are read, and each must be in the shard it names (internal).
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "setol/model_reader.hpp"

namespace setol::io {

struct WeightMap {
  std::vector<std::string> files;                            // shard file names, natural order
  std::map<std::string, std::vector<std::string>> names;     // per shard file, in index order
};

// Throws InputError(index, ...) for unreadable JSON, a missing weight_map, or a shard name
// that is not a plain file name in the index's folder.
WeightMap read_weight_map(const std::filesystem::path& index_json);

// The listed tensors of every shard, shards in the map's order, tensors in each shard's own
// order. Throws InputError naming the shard when a listed tensor is missing from it.
std::unique_ptr<ModelReader> select_shards(const std::filesystem::path& index_json, const WeightMap& map,
                                           std::vector<std::unique_ptr<ModelReader>> shards, std::string format);

}  // namespace setol::io
