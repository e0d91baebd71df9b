// A restricted unpickler for PyTorch checkpoints (internal). A pickle is data: this VM
// builds a tree of Python values and never imports or runs anything. Globals outside a
// short allowlist (collections.OrderedDict, the torch._utils tensor/parameter rebuilders,
// torch.*Storage) end the read with an InputError naming the global, as
// torch.load(weights_only=True) would refuse them. Tensors come out as PyValue::Tensor,
// storages as the persistent ids torch.save writes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "setol/tensor.hpp"

namespace setol::io::pickle {

struct Value;
using ValuePtr = std::shared_ptr<const Value>;

struct Storage {
  std::string type;   // torch's element type: "float32", "bfloat16", "int64", ...
  DType dtype = DType::Other;
  std::size_t element_size = 0;
  std::string key;    // the record name (zip: data/<key>; legacy: the key list)
  std::int64_t numel = 0;
};

struct Tensor {
  std::shared_ptr<const Storage> storage;
  std::int64_t offset = 0;  // in elements
  std::vector<std::int64_t> size, stride;
};

struct Value {
  enum class Kind { None, Bool, Int, Float, Text, Bytes, Tuple, List, Dict, Global, Storage, Tensor, Object };
  Kind kind = Kind::None;
  bool b = false;
  std::int64_t i = 0;
  double f = 0;
  std::string s;                                  // Text, Bytes; Global: "module.name"
  std::vector<ValuePtr> items;                    // Tuple, List
  std::vector<std::pair<ValuePtr, ValuePtr>> dict;  // Dict, in insertion order
  std::shared_ptr<const Storage> storage;
  std::shared_ptr<const Tensor> tensor;
  int depth = 0;  // containers: 1 + the deepest item (bounded by the VM, see load)
};

struct Result {
  ValuePtr value;
  std::size_t end = 0;  // offset just past the STOP opcode
  std::vector<std::shared_ptr<const Storage>> storages;  // every storage record named, in order
};

// Runs one pickle starting at `data`. Throws InputError(path, ...) on a malformed or
// refused pickle. Limits: 1,000,000 stack entries, memo and container items; depth of
// nested containers is at most 1000 (deeper trees would be freed by a recursion as deep, and
// Python's own pickler stops near its recursion limit of 1000). The values form no cycles (a
// list or dict that would contain itself is refused), but they may be shared: walk them with
// a visited set.
Result load(const std::byte* data, std::size_t size, const std::string& path);

}  // namespace setol::io::pickle
