#include "io/weight_map.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "setol/error.hpp"

namespace setol::io {

WeightMap read_weight_map(const std::filesystem::path& index_json) {
  const std::string p = index_json.string();
  std::ifstream in(index_json);
  if (!in) throw InputError(p, "cannot open");
  nlohmann::ordered_json idx;
  try {
    idx = nlohmann::ordered_json::parse(in, [&](int depth, nlohmann::json::parse_event_t, nlohmann::ordered_json&) {
      if (depth > 16) throw InputError(p, "index nested more than 16 levels deep");
      return true;
    });
  } catch (const nlohmann::json::exception& e) {
    throw InputError(p, std::string("not valid JSON: ") + e.what());
  }
  if (!idx.is_object() || !idx.contains("weight_map") || !idx["weight_map"].is_object())
    throw InputError(p, "no \"weight_map\" object");
  WeightMap m;
  for (const auto& [name, file] : idx["weight_map"].items()) {
    if (!file.is_string()) throw InputError(p, "weight_map entry '" + name + "' is not a file name");
    const std::string f = file.get<std::string>();
    if (f.empty() || f.find('\0') != std::string::npos || f.find('/') != std::string::npos || f.find('\\') != std::string::npos || f == "." || f == "..")
      throw InputError(p, "shard name '" + f + "' is not a plain file name");
    if (!m.names.count(f)) m.files.push_back(f);
    m.names[f].push_back(name);
  }
  std::sort(m.files.begin(), m.files.end(), natural_less);
  return m;
}

namespace {

class ShardSet final : public ModelReader {
 public:
  ShardSet(std::vector<std::unique_ptr<ModelReader>> shards, std::vector<std::pair<std::size_t, std::size_t>> picked,
           std::string format)
      : shards_(std::move(shards)), picked_(std::move(picked)), format_(std::move(format)) {
    for (const auto& [s, t] : picked_) infos_.push_back(shards_[s]->tensors()[t]);
  }
  std::string format() const override { return format_; }
  const std::vector<TensorInfo>& tensors() const override { return infos_; }
  TensorData load(std::size_t i) const override {
    const auto& [s, t] = picked_.at(i);
    return shards_[s]->load(t);
  }

 private:
  std::vector<std::unique_ptr<ModelReader>> shards_;
  std::vector<std::pair<std::size_t, std::size_t>> picked_;  // (shard, tensor in shard)
  std::vector<TensorInfo> infos_;
  std::string format_;
};

}  // namespace

std::unique_ptr<ModelReader> select_shards(const std::filesystem::path& index_json, const WeightMap& map,
                                           std::vector<std::unique_ptr<ModelReader>> shards, std::string format) {
  std::vector<std::pair<std::size_t, std::size_t>> picked;
  for (std::size_t s = 0; s < shards.size(); ++s) {
    const auto& listed = map.names.at(map.files[s]);
    const std::unordered_set<std::string> wanted(listed.begin(), listed.end());
    std::unordered_set<std::string> present;
    const auto& ts = shards[s]->tensors();
    for (std::size_t t = 0; t < ts.size(); ++t) {
      present.insert(ts[t].name);
      if (wanted.contains(ts[t].name)) picked.emplace_back(s, t);
    }
    for (const auto& n : listed)
      if (!present.contains(n))
        throw InputError((index_json.parent_path() / map.files[s]).string(),
                         "tensor '" + n + "' listed in " + index_json.filename().string() + " is not in this shard");
  }
  return std::make_unique<ShardSet>(std::move(shards), std::move(picked), std::move(format));
}

}  // namespace setol::io
