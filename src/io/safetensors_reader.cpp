// safetensors: 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}},
// then the raw little-endian data. Every size in the header is checked against the file.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <nlohmann/json.hpp>

#include "io/checked_size.hpp"
#include "io/mapped_file.hpp"
#include "io/readers.hpp"
#include "io/weight_map.hpp"
#include "setol/error.hpp"

namespace setol::io {
namespace {

using ordered_json = nlohmann::ordered_json;

std::size_t st_dtype_size(const std::string& d) {
  static const std::map<std::string, std::size_t> sizes = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"I16", 2},  {"U16", 2}, {"F16", 2},
      {"BF16", 2}, {"I32", 4}, {"U32", 4}, {"F32", 4},     {"F64", 8},     {"I64", 8},  {"U64", 8}};
  auto it = sizes.find(d);
  return it == sizes.end() ? 0 : it->second;
}

DType st_dtype(const std::string& d) {
  if (d == "F16") return DType::F16;
  if (d == "BF16") return DType::BF16;
  if (d == "F32") return DType::F32;
  if (d == "F64") return DType::F64;
  if (d == "F8_E4M3") return DType::F8_E4M3;
  if (d == "F8_E5M2") return DType::F8_E5M2;
  if (d == "BOOL") return DType::Other;
  return DType::Integer;
}

struct Entry {
  TensorInfo info;
  std::size_t shard;
  std::uint64_t begin, end;         // data_offsets, checked against shape and dtype
  std::optional<std::size_t> scale;  // FP8 weights: the entry of their scale tensor
  bool block_scale = false;          // DeepSeek's <name>_scale_inv: one scale per 128x128 block
};

// FP8 weights and their scales: DeepSeek-V3's <name>_scale_inv (one multiplier per 128x128 block;
// despite the name not a reciprocal) and compressed-tensors' <name>_scale (per tensor: shape ()
// or (1,); per output channel: (out, 1) or (out,)). The scale tensors are listed, not analyzed.
void pair_scales(std::vector<Entry>& entries) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < entries.size(); ++i) index[entries[i].info.name] = i;
  for (auto& e : entries) {
    if (e.info.dtype != DType::F8_E4M3 && e.info.dtype != DType::F8_E5M2) continue;
    for (const auto& [suffix, block] : {std::pair{"_scale_inv", true}, std::pair{"_scale", false}}) {
      auto it = index.find(e.info.name + suffix);
      if (it == index.end()) continue;
      e.scale = it->second;
      e.block_scale = block;
      entries[it->second].info.role = "scale";
      break;
    }
  }
}

// The dequantized weight, float32 = fp8 * scale computed in double and rounded once.
std::vector<float> dequantize_scaled(const TensorData& q, const TensorData& scale, bool block, const std::string& path) {
  const auto& qs = q.info().shape;
  const auto& ss = scale.info().shape;
  const std::vector<double> v = to_f64(q), sc = to_f64(scale);
  const std::int64_t rows = qs.size() >= 1 ? qs[0] : 1, cols = qs.size() >= 2 ? v.size() / std::max<std::int64_t>(rows, 1) : 1;
  auto bad = [&](const std::string& why) { return InputError(path, "scale of '" + q.info().name + "': " + why); };
  std::vector<float> out(v.size());
  if (block) {
    if (qs.size() != 2 || ss.size() != 2) throw bad("a block scale needs a 2-D weight and a 2-D scale");
    const std::int64_t br = (rows + 127) / 128, bc = (cols + 127) / 128;
    if (ss[0] != br || ss[1] != bc) throw bad("shape is not [ceil(rows/128), ceil(cols/128)]");
    for (std::int64_t i = 0; i < rows; ++i)
      for (std::int64_t j = 0; j < cols; ++j)
        out[i * cols + j] = static_cast<float>(v[i * cols + j] * sc[(i / 128) * bc + j / 128]);
  } else if (sc.size() == 1) {
    for (std::size_t k = 0; k < v.size(); ++k) out[k] = static_cast<float>(v[k] * sc[0]);
  } else if (static_cast<std::int64_t>(sc.size()) == rows) {
    for (std::int64_t i = 0; i < rows; ++i)
      for (std::int64_t j = 0; j < cols; ++j) out[i * cols + j] = static_cast<float>(v[i * cols + j] * sc[i]);
  } else {
    throw bad("neither one value nor one per output channel");
  }
  return out;
}

struct Shard {
  std::shared_ptr<const MappedFile> file;
  std::size_t data_start;
};

// Parses one shard's header; appends its tensors (in data-offset order) to `out`.
Shard read_shard(const std::filesystem::path& path, std::size_t shard_index, std::vector<Entry>& out) {
  const std::string p = path.string();
  auto m = MappedFile::open(p);
  if (m->size() < 8) throw InputError(p, "truncated safetensors file (" + std::to_string(m->size()) + " bytes)");
  std::uint64_t hlen = 0;
  for (int i = 7; i >= 0; --i) hlen = (hlen << 8) | static_cast<unsigned char>(m->data()[i]);
  if (hlen > m->size() - 8)
    throw InputError(p, "safetensors header length " + std::to_string(hlen) + " exceeds the file size " +
                            std::to_string(m->size()));
  if (hlen > (std::uint64_t{100} << 20)) throw InputError(p, "safetensors header larger than 100 MB");
  const char* text = reinterpret_cast<const char*>(m->data()) + 8;
  // The header is JSON padded with spaces only (the format's rule; NUL or other bytes after the
  // JSON are refused), nested at most 16 deep, with each tensor named once.
  if (std::memchr(text, '\0', static_cast<std::size_t>(hlen)))
    throw InputError(p, "safetensors header contains a NUL byte");
  std::size_t json_end = static_cast<std::size_t>(hlen);
  while (json_end > 0 && text[json_end - 1] == ' ') --json_end;
  if (json_end == 0 || text[json_end - 1] != '}')
    throw InputError(p, "safetensors header does not end with its JSON object (bytes other than spaces follow it)");
  ordered_json header;
  std::set<std::string> seen;
  try {
    header = ordered_json::parse(text, text + json_end, [&](int depth, nlohmann::json::parse_event_t event, ordered_json& v) {
      if (depth > 16) throw InputError(p, "safetensors header nested more than 16 levels deep");
      if (event == nlohmann::json::parse_event_t::key && depth == 1 && !seen.insert(v.get<std::string>()).second)
        throw InputError(p, "tensor '" + v.get<std::string>() + "' is named twice in the header");
      return true;
    });
  } catch (const nlohmann::json::exception& e) {
    throw InputError(p, std::string("safetensors header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) throw InputError(p, "safetensors header is not a JSON object");
  const std::size_t data_start = 8 + hlen;
  const std::uint64_t data_size = m->size() - data_start;
  std::vector<Entry> entries;
  for (const auto& item : header.items()) {
    // Named copies, not a structured binding: clang before 16 cannot capture bindings in lambdas.
    const std::string& name = item.key();
    const auto& v = item.value();
    if (name == "__metadata__") continue;
    auto bad = [&](const std::string& what) { return InputError(p, "tensor '" + name + "': " + what); };
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
      throw bad("header entry lacks dtype, shape or data_offsets");
    if (!v["dtype"].is_string()) throw bad("dtype is not a string");
    const std::string dt = v["dtype"].get<std::string>();
    const std::size_t esize = st_dtype_size(dt);
    if (esize == 0) throw bad("unknown dtype '" + dt + "'");
    Entry e;
    e.info.name = name;
    e.info.dtype_text = dt;
    e.info.dtype = st_dtype(dt);
    e.info.source = p;
    if (!v["shape"].is_array()) throw bad("shape is not an array");
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned()) throw bad("shape has a non-integer or negative entry");
      e.info.shape.push_back(d.get<std::int64_t>());
    }
    const auto& off = v["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      throw bad("data_offsets is not a pair of non-negative integers");
    const auto b = off[0].get<std::uint64_t>();
    const auto en = off[1].get<std::uint64_t>();
    if (b > en || en > data_size)
      throw bad("data_offsets [" + std::to_string(b) + ", " + std::to_string(en) + "] lie outside the " +
                std::to_string(data_size) + "-byte data section (truncated file?)");
    const auto need = checked_nbytes(e.info.shape, esize);
    if (!need || *need != en - b)
      throw bad("shape and dtype need " + (need ? std::to_string(*need) : std::string("too many")) +
                " bytes but data_offsets span " + std::to_string(en - b));
    e.shard = shard_index;
    e.begin = b;
    e.end = en;
    entries.push_back(std::move(e));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  // The data ranges tile the data section: no overlap, no gap, nothing after the last one.
  std::uint64_t expected = 0;
  for (const auto& e : entries) {
    if (e.begin != expected)
      throw InputError(p, "tensor '" + e.info.name + "' starts at data byte " + std::to_string(e.begin) + ", not " +
                              std::to_string(expected) + (e.begin < expected ? " (overlapping ranges)" : " (a gap)"));
    expected = e.end;
  }
  if (expected != data_size)
    throw InputError(p, "the data section has " + std::to_string(data_size) + " bytes but the tensors cover " +
                            std::to_string(expected));
  for (auto& e : entries) out.push_back(std::move(e));
  return Shard{std::move(m), data_start};
}

class SafetensorsReader final : public ModelReader {
 public:
  SafetensorsReader(std::vector<Shard> shards, std::vector<Entry> entries, std::string format)
      : shards_(std::move(shards)), entries_(std::move(entries)), format_(std::move(format)) {
    pair_scales(entries_);
    for (const auto& e : entries_) infos_.push_back(e.info);
  }
  std::string format() const override { return format_; }
  const std::vector<TensorInfo>& tensors() const override { return infos_; }
  TensorData load(std::size_t i) const override {
    const Entry& e = entries_.at(i);
    const Shard& s = shards_[e.shard];
    const std::byte* p = s.file->data() + s.data_start + e.begin;
    const auto bytes = static_cast<std::size_t>(e.info.numel()) * dtype_size(e.info.dtype);
    TensorData t(e.info, p, tensor_pages(s.file, p, bytes), true);
    if (!e.scale) return t;
    auto values = std::make_shared<std::vector<float>>(dequantize_scaled(t, load(*e.scale), e.block_scale, e.info.source));
    TensorInfo info = e.info;
    info.dtype = DType::F32;
    return TensorData(std::move(info), reinterpret_cast<const std::byte*>(values->data()), values, false);
  }

 private:
  std::vector<Shard> shards_;
  std::vector<Entry> entries_;
  std::vector<TensorInfo> infos_;
  std::string format_;
};

}  // namespace

std::unique_ptr<ModelReader> open_safetensors(const std::vector<std::filesystem::path>& shard_paths) {
  std::vector<Shard> shards;
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < shard_paths.size(); ++i) shards.push_back(read_shard(shard_paths[i], i, entries));
  return std::make_unique<SafetensorsReader>(std::move(shards), std::move(entries),
                                             shard_paths.size() == 1 ? "safetensors" : "safetensors-sharded");
}

std::unique_ptr<ModelReader> open_safetensors_index(const std::filesystem::path& index_json) {
  const WeightMap map = read_weight_map(index_json);
  const auto& files = map.files;
  std::vector<Shard> shards;
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::vector<Entry> all;
    const auto shard_path = index_json.parent_path() / files[i];
    shards.push_back(read_shard(shard_path, i, all));
    const auto& listed = map.names.at(files[i]);
    const std::unordered_set<std::string> names(listed.begin(), listed.end());
    std::unordered_set<std::string> present;
    for (const auto& e : all) present.insert(e.info.name);
    for (const auto& n : listed) {
      if (!present.contains(n))
        throw InputError(shard_path.string(), "tensor '" + n + "' listed in " + index_json.filename().string() +
                                                  " is not in this shard");
    }
    for (auto& e : all)
      if (names.contains(e.info.name)) entries.push_back(std::move(e));
  }
  return std::make_unique<SafetensorsReader>(std::move(shards), std::move(entries), "safetensors-sharded");
}

}  // namespace setol::io
