// PyTorch checkpoints (.bin, .pt, .pth, .ckpt) as torch.save writes them, read without
// Python and without running anything (see pickle.hpp).
//  - Zip format (torch >= 1.6): <prefix>/data.pkl holds the pickled object; each storage is
//    the record <prefix>/data/<key>, raw little-endian (stored: memory-mapped).
//  - Legacy format: a magic-number pickle, a protocol-version pickle, a sys_info pickle, the
//    object's pickle, a pickle listing the storage keys, then for each key in that order an
//    8-byte little-endian element count followed by the raw elements.
// The state dict is found inside the object: the top-level dict if it holds tensors, else the
// first dict with tensors under "state_dict", "model_state_dict", "model", "module", ...
// (Lightning keeps it under "state_dict"); optimizer state is never taken for weights. Tensor
// names are the keys as they are; views (storage offset, sizes, strides) are honoured.
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "io/checked_size.hpp"
#include "io/mapped_file.hpp"
#include "io/pickle.hpp"
#include "io/readers.hpp"
#include "io/weight_map.hpp"
#include "io/zip_archive.hpp"
#include "setol/error.hpp"

namespace setol::io {
namespace {

using pickle::Value;
using pickle::ValuePtr;
using K = Value::Kind;

bool has_tensor_value(const Value& d) {
  for (const auto& [k, v] : d.dict)
    if (v->kind == K::Tensor) return true;
  return false;
}

const Value* dict_get(const Value& d, const std::string& key) {
  for (const auto& [k, v] : d.dict)
    if (k->kind == K::Text && k->s == key) return v.get();
  return nullptr;
}

bool is_optimizer_key(const std::string& k) {
  return k.find("optim") != std::string::npos || k.find("lr_scheduler") != std::string::npos ||
         k == "callbacks" || k == "loops";
}

// The dict of tensors a checkpoint holds; null if there is none. Dicts may be shared (the
// pickle memo), so each is searched once: without `seen`, 8 levels of dicts that each name
// the next a thousand times would take 1000^8 steps.
const Value* find_state_dict(const Value& v, int depth, std::unordered_set<const Value*>& seen) {
  if (v.kind != K::Dict || depth > 8 || !seen.insert(&v).second) return nullptr;
  if (has_tensor_value(v)) return &v;
  for (const char* key : {"state_dict", "model_state_dict", "model", "module", "net", "network", "ema", "weights",
                          "params", "params_ema"})
    if (const Value* c = dict_get(v, key))
      if (const Value* r = find_state_dict(*c, depth + 1, seen)) return r;
  for (const auto& [k, c] : v.dict)
    if (k->kind == K::Text && !is_optimizer_key(k->s))
      if (const Value* r = find_state_dict(*c, depth + 1, seen)) return r;
  return nullptr;
}

std::string key_text(const Value& k) {
  if (k.kind == K::Text) return k.s;
  if (k.kind == K::Int) return std::to_string(k.i);
  return "?";
}

struct Item {
  TensorInfo info;
  std::string storage_key;
  std::int64_t offset = 0;  // in elements
  std::size_t element_size = 0;
};

// Checks a tensor view against its storage: non-negative sizes and strides, and the largest
// element it reaches inside the storage.
void check_view(const pickle::Tensor& t, const std::string& name, const std::string& path) {
  if (t.offset < 0) throw InputError(path, "tensor '" + name + "' has a negative storage offset");
  std::uint64_t last = static_cast<std::uint64_t>(t.offset);
  bool empty = false;
  for (std::size_t a = 0; a < t.size.size(); ++a) {
    if (t.size[a] < 0 || t.stride[a] < 0) throw InputError(path, "tensor '" + name + "' has a negative size or stride");
    if (t.size[a] == 0) empty = true;
    const auto span = static_cast<unsigned __int128>(t.size[a] == 0 ? 0 : t.size[a] - 1) * static_cast<std::uint64_t>(t.stride[a]);
    if (span > UINT64_MAX - last) throw InputError(path, "tensor '" + name + "' view overflows");
    last += static_cast<std::uint64_t>(span);
  }
  if (!checked_nbytes(t.size, t.storage->element_size)) throw InputError(path, "tensor '" + name + "' size overflows");
  if (!empty && last >= static_cast<std::uint64_t>(t.storage->numel))
    throw InputError(path, "tensor '" + name + "' reaches element " + std::to_string(last) + " of a storage of " +
                               std::to_string(t.storage->numel));
}

std::vector<Item> state_dict_items(const ValuePtr& root, const std::string& path) {
  std::unordered_set<const Value*> seen;
  const Value* sd = find_state_dict(*root, 0, seen);
  if (!sd) throw InputError(path, "no state dict (a dict of tensors) in this checkpoint");
  std::vector<Item> items;
  for (const auto& [k, v] : sd->dict) {
    if (v->kind != K::Tensor) continue;
    const pickle::Tensor& t = *v->tensor;
    Item it;
    it.info.name = key_text(*k);
    check_view(t, it.info.name, path);
    it.info.shape = t.size;
    it.info.strides = t.stride;
    it.info.dtype = t.storage->dtype;
    it.info.dtype_text = t.storage->type;
    it.info.source = path;
    it.storage_key = t.storage->key;
    it.offset = t.offset;
    it.element_size = t.storage->element_size;
    items.push_back(std::move(it));
  }
  return items;
}

// Every storage record the pickle names, once: key -> (elements, element size).
std::unordered_map<std::string, std::pair<std::int64_t, std::size_t>> storage_table(const pickle::Result& r,
                                                                                 const std::string& path) {
  std::unordered_map<std::string, std::pair<std::int64_t, std::size_t>> out;
  for (const auto& s : r.storages) {
    auto [it, fresh] = out.emplace(s->key, std::pair{s->numel, s->element_size});
    if (!fresh && it->second != std::pair{s->numel, s->element_size})
      throw InputError(path, "storage '" + s->key + "' is named with two different sizes or types");
  }
  return out;
}

class TorchReader : public ModelReader {
 public:
  TorchReader(std::string format, std::vector<Item> items) : format_(std::move(format)), items_(std::move(items)) {
    for (const auto& i : items_) infos_.push_back(i.info);
  }
  std::string format() const override { return format_; }
  const std::vector<TensorInfo>& tensors() const override { return infos_; }
  TensorData load(std::size_t i) const override {
    const Item& it = items_.at(i);
    const ZipBytes b = storage_bytes(it.storage_key);
    const std::byte* p = b.data + static_cast<std::size_t>(it.offset) * it.element_size;
    return TensorData(it.info, p, b.keepalive, b.mapped);
  }

 protected:
  virtual ZipBytes storage_bytes(const std::string& key) const = 0;

 private:
  std::string format_;
  std::vector<Item> items_;
  std::vector<TensorInfo> infos_;
};

class TorchZipReader final : public TorchReader {
 public:
  TorchZipReader(std::shared_ptr<ZipArchive> zip, std::string prefix, std::vector<Item> items)
      : TorchReader("pytorch", std::move(items)), zip_(std::move(zip)), prefix_(std::move(prefix)) {}

 private:
  ZipBytes storage_bytes(const std::string& key) const override {
    const ZipEntry* e = zip_->find(prefix_ + "data/" + key);
    if (!e) throw InputError(zip_->path(), "storage record '" + prefix_ + "data/" + key + "' is missing");
    return zip_->read(*e);
  }
  std::shared_ptr<ZipArchive> zip_;
  std::string prefix_;
};

class TorchLegacyReader final : public TorchReader {
 public:
  TorchLegacyReader(std::shared_ptr<const MappedFile> file,
                    std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> offsets,
                    std::vector<Item> items)
      : TorchReader("pytorch-legacy", std::move(items)), file_(std::move(file)), offsets_(std::move(offsets)) {}

 private:
  ZipBytes storage_bytes(const std::string& key) const override {
    const std::byte* p = file_->data() + offsets_.at(key).first;
    return {p, offsets_.at(key).second, tensor_pages(file_, p, offsets_.at(key).second), true};
  }
  std::shared_ptr<const MappedFile> file_;
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> offsets_;  // key -> (offset, bytes)
};

std::unique_ptr<ModelReader> open_torch_zip(const std::filesystem::path& path) {
  const std::string p = path.string();
  auto zip = std::make_shared<ZipArchive>(path);
  const ZipEntry* pkl = nullptr;
  for (const auto& e : zip->entries()) {
    const auto slash = e.name.find('/');
    if (slash != std::string::npos && e.name.substr(slash + 1) == "data.pkl") {
      pkl = &e;
      break;
    }
  }
  if (!pkl) throw InputError(p, "ZIP without a <prefix>/data.pkl record: not a PyTorch checkpoint");
  const std::string prefix = pkl->name.substr(0, pkl->name.size() - std::strlen("data.pkl"));
  const ZipBytes bytes = zip->read(*pkl, 1ull << 32);
  const auto root = pickle::load(bytes.data, bytes.size, p);
  auto items = state_dict_items(root.value, p);
  // Every storage record exists and holds the elements the pickle says.
  for (const auto& [key, size] : storage_table(root, p)) {
    const auto [numel, esize] = size;
    const ZipEntry* e = zip->find(prefix + "data/" + key);
    if (!e) throw InputError(p, "storage record '" + prefix + "data/" + key + "' is missing");
    if (static_cast<unsigned __int128>(numel) * esize > e->size)
      throw InputError(p, "storage record '" + e->name + "' holds " + std::to_string(e->size) + " bytes, fewer than its " +
                              std::to_string(numel) + " elements");
  }
  return std::make_unique<TorchZipReader>(std::move(zip), prefix, std::move(items));
}

std::unique_ptr<ModelReader> open_torch_legacy(const std::filesystem::path& path) {
  const std::string p = path.string();
  auto file = MappedFile::open(p);
  const std::byte* d = file->data();
  const std::size_t n = file->size();
  std::size_t pos = 0;
  auto next = [&]() {
    auto r = pickle::load(d + pos, n - pos, p);
    pos += r.end;
    return r;
  };
  const auto magic = next().value;
  static const unsigned char kMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};  // 0x1950a86a20f9469cfc6c
  if (magic->kind != K::Bytes || magic->s.size() != sizeof kMagic || std::memcmp(magic->s.data(), kMagic, sizeof kMagic) != 0)
    throw InputError(p, "not a PyTorch legacy checkpoint (bad magic number)");
  const auto version = next().value;
  if (version->kind != K::Int || version->i != 1001)
    throw InputError(p, "unsupported PyTorch legacy protocol version");
  next();  // sys_info: byte order and type sizes
  const auto root = next();
  const auto keys = next().value;
  if (keys->kind != K::List) throw InputError(p, "storage key list missing");
  auto items = state_dict_items(root.value, p);
  const auto table = storage_table(root, p);
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> offsets;
  for (const auto& k : keys->items) {
    if (k->kind != K::Text) throw InputError(p, "storage key is not text");
    auto st = table.find(k->s);
    if (st == table.end()) throw InputError(p, "storage '" + k->s + "' is listed but never used");
    if (n - pos < 8) throw InputError(p, "truncated: storage '" + k->s + "' has no element count");
    const std::uint64_t count = read_le(d + pos, 8);
    pos += 8;
    const auto [numel, element] = st->second;
    if (element == 0 || count > (n - pos) / element)
      throw InputError(p, "truncated: storage '" + k->s + "' extends past the end of the file");
    if (static_cast<std::uint64_t>(numel) > count)
      throw InputError(p, "storage '" + k->s + "' holds fewer elements than the pickle says");
    offsets[k->s] = {pos, static_cast<std::size_t>(count) * element};
    pos += static_cast<std::size_t>(count) * element;
  }
  for (const auto& it : items)
    if (!offsets.count(it.storage_key)) throw InputError(p, "storage '" + it.storage_key + "' has no data");
  return std::make_unique<TorchLegacyReader>(std::move(file), std::move(offsets), std::move(items));
}

}  // namespace

std::unique_ptr<ModelReader> open_torch(const std::filesystem::path& path) {
  auto file = MappedFile::open(path.string());
  if (ZipArchive::looks_like_zip(file->data(), file->size())) return open_torch_zip(path);
  if (file->size() >= 2 && static_cast<unsigned char>(file->data()[0]) == 0x80)
    return open_torch_legacy(path);
  throw InputError(path.string(), "not a PyTorch checkpoint (neither a ZIP nor a pickle)");
}

std::unique_ptr<ModelReader> open_torch_index(const std::filesystem::path& index_json) {
  const WeightMap map = read_weight_map(index_json);
  std::vector<std::unique_ptr<ModelReader>> shards;
  for (const auto& f : map.files) shards.push_back(open_torch(index_json.parent_path() / f));
  return select_shards(index_json, map, std::move(shards), "pytorch-sharded");
}

}  // namespace setol::io
