// The opcodes are those of pickle protocols 0-5 that state dicts use (Python's
// Lib/pickletools.py documents each); anything else is refused.
#include "io/pickle.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "io/checked_size.hpp"
#include "setol/error.hpp"

namespace setol::io::pickle {
namespace {

using K = Value::Kind;
constexpr std::size_t kMaxItems = 1'000'000;
constexpr int kMaxDepth = 1000;

// The storages torch.save names, with their element types.
struct StorageType {
  const char* name;
  const char* dtype_text;  // torch's name of the element type
  DType dtype;
  std::size_t size;
};
constexpr StorageType kStorageTypes[] = {
    {"FloatStorage", "float32", DType::F32, 4},     {"HalfStorage", "float16", DType::F16, 2},
    {"BFloat16Storage", "bfloat16", DType::BF16, 2}, {"DoubleStorage", "float64", DType::F64, 8},
    {"LongStorage", "int64", DType::Integer, 8},      {"IntStorage", "int32", DType::Integer, 4},
    {"ShortStorage", "int16", DType::Integer, 2},     {"CharStorage", "int8", DType::Integer, 1},
    {"ByteStorage", "uint8", DType::Integer, 1},      {"BoolStorage", "bool", DType::Other, 1},
};

const StorageType* storage_type(const std::string& global) {
  for (const auto& t : kStorageTypes)
    if (global == std::string("torch.") + t.name) return &t;
  return nullptr;
}

bool allowed_global(const std::string& g) {
  return g == "collections.OrderedDict" || g == "torch._utils._rebuild_tensor_v2" ||
         g == "torch._utils._rebuild_tensor" || g == "torch._utils._rebuild_parameter" ||
         g == "torch._utils._rebuild_parameter_with_state" || storage_type(g) != nullptr;
}

std::shared_ptr<Value> make(K k) {
  auto v = std::make_shared<Value>();
  v->kind = k;
  return v;
}

class Machine {
 public:
  Machine(const std::byte* data, std::size_t size, const std::string& path) : p_(data), n_(size), path_(path) {}

  Result run() {
    for (;;) {
      const auto op = static_cast<unsigned char>(u8());
      if (op == '.') {
        if (stack_.empty()) fail("STOP with an empty stack");
        return {stack_.back(), pos_, storages_};
      }
      step(op);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw InputError(path_, "pickle: " + why + " (at byte " + std::to_string(pos_) + ")");
  }
  std::uint8_t u8() {
    if (pos_ >= n_) fail("ends before its STOP opcode");
    return static_cast<std::uint8_t>(p_[pos_++]);
  }
  std::uint64_t le(int bytes) {
    if (n_ - pos_ < static_cast<std::size_t>(bytes)) fail("truncated argument");
    const std::uint64_t v = read_le(p_ + pos_, bytes);
    pos_ += static_cast<std::size_t>(bytes);
    return v;
  }
  std::string bytes(std::uint64_t len) {
    if (len > n_ - pos_) fail("string longer than the pickle");
    std::string s(reinterpret_cast<const char*>(p_ + pos_), static_cast<std::size_t>(len));
    pos_ += static_cast<std::size_t>(len);
    return s;
  }
  std::string line() {
    std::string s;
    for (;;) {
      const char c = static_cast<char>(u8());
      if (c == '\n') return s;
      if (s.size() > 4096) fail("text argument too long");
      s += c;
    }
  }
  void push(ValuePtr v) {
    if (stack_.size() >= kMaxItems) fail("stack too deep");
    stack_.push_back(std::move(v));
  }
  ValuePtr pop() {
    if (stack_.size() <= mark_floor()) fail("stack underflow");
    auto v = stack_.back();
    stack_.pop_back();
    return v;
  }
  std::size_t mark_floor() const { return marks_.empty() ? 0 : marks_.back(); }
  std::vector<ValuePtr> pop_mark() {
    if (marks_.empty()) fail("no MARK");
    const std::size_t m = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> out(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return out;
  }
  ValuePtr text(K k, std::string s) {
    auto v = make(k);
    v->s = std::move(s);
    return v;
  }
  ValuePtr integer(std::int64_t i) {
    auto v = make(K::Int);
    v->i = i;
    return v;
  }
  // A mutable view of the container on top of the stack (values are shared but built here).
  //
  // No cycles: values are reference counted, so a container that reached itself would never be
  // freed, and a walk of the tree would not end. Containers built from the stack (TUPLE, LIST,
  // DICT) are new, so only APPEND(S)/SETITEM(S) on an existing list or dict can close a cycle,
  // and only if that container already sits inside another one (or the item is the container
  // itself): both are refused. Python's pickler builds a container completely before placing it
  // in its parent, so only self-referencing objects are refused.
  Value& top_container(K want) {
    if (stack_.size() <= mark_floor()) fail("stack underflow");
    auto& v = const_cast<Value&>(*stack_.back());
    if (v.kind != want) fail("item added to a value that is not a container of that kind");
    if (contained_.count(stack_.back()))
      fail("a list or dict is changed after it was placed in another container (recursive structures are not read)");
    return v;
  }
  void note_contained(Value& c, const ValuePtr& x) {
    if (x.get() == &c) fail("a container that contains itself (recursive structures are not read)");
    if (x->kind == K::List || x->kind == K::Dict) contained_.insert(x);
    // Exact, because a container placed in another is never changed again (above).
    c.depth = std::max(c.depth, x->depth + 1);
    if (c.depth > kMaxDepth) fail("containers nested more than " + std::to_string(kMaxDepth) + " deep");
  }
  void add_items(Value& c, const std::vector<ValuePtr>& items) {
    if (c.items.size() + items.size() > kMaxItems) fail("container too large");
    for (const auto& x : items) note_contained(c, x);
    c.items.insert(c.items.end(), items.begin(), items.end());
  }
  void add_pairs(Value& d, const std::vector<ValuePtr>& kv) {
    if (kv.size() % 2) fail("odd number of dict items");
    if (d.dict.size() + kv.size() / 2 > kMaxItems) fail("dict too large");
    for (const auto& x : kv) note_contained(d, x);
    for (std::size_t k = 0; k < kv.size(); k += 2) d.dict.emplace_back(kv[k], kv[k + 1]);
  }
  void memo_put(std::uint64_t key) {
    if (stack_.empty()) fail("memo put with an empty stack");
    if (memo_.size() >= kMaxItems && !memo_.count(key)) fail("memo too large");
    memo_[key] = stack_.back();
  }
  void memo_get(std::uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) fail("memo key " + std::to_string(key) + " not set");
    push(it->second);
  }
  void global(const std::string& module, const std::string& name) {
    const std::string g = module + "." + name;
    if (!allowed_global(g)) fail("refused global '" + g + "' (only tensors and state dicts are read)");
    push(text(K::Global, g));
  }
  static std::int64_t as_int(const ValuePtr& v, bool& ok) {
    ok = v && (v->kind == K::Int || v->kind == K::Bool);
    return ok ? (v->kind == K::Int ? v->i : v->b) : 0;
  }
  std::vector<std::int64_t> int_tuple(const ValuePtr& v, const char* what) {
    if (!v || (v->kind != K::Tuple && v->kind != K::List)) fail(std::string(what) + " is not a tuple");
    std::vector<std::int64_t> out;
    for (const auto& x : v->items) {
      bool ok;
      out.push_back(as_int(x, ok));
      if (!ok) fail(std::string(what) + " holds a non-integer");
    }
    return out;
  }
  // REDUCE and NEWOBJ: the only callables are the allowed globals.
  ValuePtr call(const ValuePtr& f, const ValuePtr& args) {
    if (f->kind != K::Global) fail("call of a value that is not an allowed global");
    if (args->kind != K::Tuple) fail("call arguments are not a tuple");
    const auto& a = args->items;
    const std::string& g = f->s;
    if (g == "collections.OrderedDict") return make(K::Dict);
    if (g == "torch._utils._rebuild_tensor_v2" || g == "torch._utils._rebuild_tensor") {
      if (a.size() < 4 || a[0]->kind != K::Storage) fail(g + " without a storage");
      auto t = std::make_shared<Tensor>();
      t->storage = a[0]->storage;
      bool ok;
      t->offset = as_int(a[1], ok);
      if (!ok) fail("tensor storage offset is not an integer");
      t->size = int_tuple(a[2], "tensor size");
      t->stride = int_tuple(a[3], "tensor stride");
      if (t->size.size() != t->stride.size()) fail("tensor size and stride differ in length");
      auto v = make(K::Tensor);
      v->tensor = std::move(t);
      return v;
    }
    if (g == "torch._utils._rebuild_parameter" || g == "torch._utils._rebuild_parameter_with_state") {
      if (a.empty() || a[0]->kind != K::Tensor) fail(g + " without a tensor");
      return a[0];
    }
    fail("global '" + g + "' cannot be called");
  }
  // BINPERSID: torch.save's ('storage', StorageType, key, location, numel[, view_metadata]).
  ValuePtr persistent(const ValuePtr& pid) {
    if (pid->kind != K::Tuple || pid->items.size() < 5 || pid->items[0]->kind != K::Text ||
        pid->items[0]->s != "storage")
      fail("persistent id is not a torch storage record");
    const auto& it = pid->items;
    if (it[1]->kind != K::Global) fail("storage type is not a global");
    const StorageType* st = storage_type(it[1]->s);
    if (!st) fail("unknown storage type '" + it[1]->s + "'");
    auto s = std::make_shared<Storage>();
    s->type = st->dtype_text;
    s->dtype = st->dtype;
    s->element_size = st->size;
    if (it[2]->kind == K::Text) s->key = it[2]->s;
    else if (it[2]->kind == K::Int) s->key = std::to_string(it[2]->i);
    else fail("storage key is not text");
    bool ok;
    s->numel = as_int(it[4], ok);
    if (!ok || s->numel < 0) fail("storage size is not a count");
    storages_.push_back(s);
    auto v = make(K::Storage);
    v->storage = std::move(s);
    return v;
  }

  void step(unsigned char op) {
    switch (op) {
      case 0x80: u8(); break;                    // PROTO
      case 0x95: le(8); break;                   // FRAME
      case '(': marks_.push_back(stack_.size()); break;  // MARK
      case ')': push(make(K::Tuple)); break;     // EMPTY_TUPLE
      case ']': push(make(K::List)); break;      // EMPTY_LIST
      case '}': push(make(K::Dict)); break;      // EMPTY_DICT
      case 'N': push(make(K::None)); break;
      case 0x88: case 0x89: {                    // NEWTRUE, NEWFALSE
        auto v = make(K::Bool);
        v->b = op == 0x88;
        push(v);
        break;
      }
      case 'J': push(integer(static_cast<std::int32_t>(le(4)))); break;  // BININT
      case 'K': push(integer(static_cast<std::int64_t>(le(1)))); break;  // BININT1
      case 'M': push(integer(static_cast<std::int64_t>(le(2)))); break;  // BININT2
      case 0x8a: case 0x8b: {                    // LONG1, LONG4: little-endian two's complement
        const std::uint64_t len = le(op == 0x8a ? 1 : 4);
        const std::string b = bytes(len);
        if (len > 8) {  // e.g. the legacy format's magic number: kept as bytes
          push(text(K::Bytes, b));
          break;
        }
        std::uint64_t v = 0;
        for (std::size_t k = 0; k < b.size(); ++k) v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(b[k])) << (8 * k);
        if (!b.empty() && len < 8 && (static_cast<std::uint8_t>(b.back()) & 0x80)) v |= ~std::uint64_t{0} << (8 * len);
        push(integer(static_cast<std::int64_t>(v)));
        break;
      }
      case 'I': {                                // INT (text); "01"/"00" are True/False
        const std::string s = line();
        if (s == "01" || s == "00") {
          auto v = make(K::Bool);
          v->b = s == "01";
          push(v);
        } else {
          try {
            push(integer(std::stoll(s)));
          } catch (const std::exception&) {
            fail("bad INT argument");
          }
        }
        break;
      }
      case 'G': {                                // BINFLOAT: 8 bytes big-endian
        std::uint64_t bits = 0;
        for (int k = 0; k < 8; ++k) bits = (bits << 8) | u8();
        auto v = make(K::Float);
        std::memcpy(&v->f, &bits, 8);
        push(v);
        break;
      }
      case 'X': push(text(K::Text, bytes(le(4)))); break;     // BINUNICODE
      case 0x8c: push(text(K::Text, bytes(le(1)))); break;    // SHORT_BINUNICODE
      case 0x8d: push(text(K::Text, bytes(le(8)))); break;    // BINUNICODE8
      case 'T': push(text(K::Text, bytes(le(4)))); break;     // BINSTRING
      case 'U': push(text(K::Text, bytes(le(1)))); break;     // SHORT_BINSTRING
      case 'B': push(text(K::Bytes, bytes(le(4)))); break;    // BINBYTES
      case 'C': push(text(K::Bytes, bytes(le(1)))); break;    // SHORT_BINBYTES
      case 0x8e: push(text(K::Bytes, bytes(le(8)))); break;   // BINBYTES8
      case 'q': memo_put(le(1)); break;          // BINPUT
      case 'r': memo_put(le(4)); break;          // LONG_BINPUT
      case 0x94: memo_put(memo_.size()); break;  // MEMOIZE
      case 'p': memo_put(static_cast<std::uint64_t>(std::atoll(line().c_str()))); break;  // PUT
      case 'h': memo_get(le(1)); break;          // BINGET
      case 'j': memo_get(le(4)); break;          // LONG_BINGET
      case 'g': memo_get(static_cast<std::uint64_t>(std::atoll(line().c_str()))); break;  // GET
      case 'c': {                                // GLOBAL module\nname\n
        const std::string module = line();
        global(module, line());
        break;
      }
      case 0x93: {                               // STACK_GLOBAL
        auto name = pop(), module = pop();
        if (module->kind != K::Text || name->kind != K::Text) fail("STACK_GLOBAL of non-text");
        global(module->s, name->s);
        break;
      }
      case 't': {                                // TUPLE
        auto v = make(K::Tuple);
        add_items(*v, pop_mark());
        push(v);
        break;
      }
      case 0x85: case 0x86: case 0x87: {        // TUPLE1..3
        const int k = op - 0x84;
        std::vector<ValuePtr> items(static_cast<std::size_t>(k));
        for (int j = k; j-- > 0;) items[static_cast<std::size_t>(j)] = pop();
        auto v = make(K::Tuple);
        add_items(*v, items);
        push(v);
        break;
      }
      case 'l': {                                // LIST
        auto v = make(K::List);
        add_items(*v, pop_mark());
        push(v);
        break;
      }
      case 'd': {                                // DICT
        auto v = make(K::Dict);
        add_pairs(*v, pop_mark());
        push(v);
        break;
      }
      case 'a': {                                // APPEND
        auto x = pop();
        add_items(top_container(K::List), {x});
        break;
      }
      case 'e': {                                // APPENDS
        auto items = pop_mark();
        add_items(top_container(K::List), items);
        break;
      }
      case 's': {                                // SETITEM
        auto v = pop(), k = pop();
        add_pairs(top_container(K::Dict), {k, v});
        break;
      }
      case 'u': {                                // SETITEMS
        auto kv = pop_mark();
        add_pairs(top_container(K::Dict), kv);
        break;
      }
      case '0': pop(); break;                    // POP
      case '1': pop_mark(); break;               // POP_MARK
      case '2': {                                // DUP
        if (stack_.empty()) fail("DUP of an empty stack");
        push(stack_.back());
        break;
      }
      case 'R': {                                // REDUCE
        auto args = pop(), f = pop();
        push(call(f, args));
        break;
      }
      case 0x81: {                               // NEWOBJ
        auto args = pop(), cls = pop();
        push(call(cls, args));
        break;
      }
      case 'b': {                                // BUILD: state of a dict, tensor or parameter
        pop();  // the state: hooks or attributes, not needed for the weights
        if (stack_.size() <= mark_floor()) fail("BUILD without an object");
        const auto k = stack_.back()->kind;
        if (k != K::Dict && k != K::Tensor) fail("BUILD of a value that is not a dict or tensor");
        break;
      }
      case 'Q': {                                // BINPERSID
        auto pid = pop();
        push(persistent(pid));
        break;
      }
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", op);
        fail(std::string("unsupported opcode ") + hex);
      }
    }
  }

  const std::byte* p_;
  std::size_t n_;
  const std::string& path_;
  std::size_t pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, ValuePtr> memo_;
  // Lists and dicts placed inside another container; held (not just their addresses) so that
  // a freed container's address reused by a new one is never mistaken for it.
  std::unordered_set<ValuePtr> contained_;
  std::vector<std::shared_ptr<const Storage>> storages_;
};

}  // namespace

Result load(const std::byte* data, std::size_t size, const std::string& path) { return Machine(data, size, path).run(); }

}  // namespace setol::io::pickle
