// GGUF (llama.cpp / ggml), versions 2 and 3: "GGUF", uint32 version, uint64 tensor count,
// uint64 KV count; KV pairs (key, uint32 type, value; arrays: uint32 element type, uint64
// count, elements); tensor infos (name, uint32 n_dims <= 4, uint64 ne[n_dims] innermost
// first, uint32 ggml type, uint64 offset from the data section); zero padding to
// general.alignment (default 32); the data section. Every count, length and offset is
// checked against the file before use. Shapes are reported in PyTorch order (ne reversed).
// Quantized tensors are decoded block by block as the spectrum core reads them (no copy).
#include <cstring>
#include <set>

#include "io/checked_size.hpp"
#include "io/mapped_file.hpp"
#include "io/readers.hpp"
#include "setol/error.hpp"

namespace setol::io {
namespace {

// ggml type ids (ggml.h enum ggml_type) setol decodes; others are listed as unsupported.
DType ggml_dtype(std::uint32_t id) {
  switch (id) {
    case 0: return DType::F32;
    case 1: return DType::F16;
    case 2: return DType::Q4_0;
    case 3: return DType::Q4_1;
    case 6: return DType::Q5_0;
    case 7: return DType::Q5_1;
    case 8: return DType::Q8_0;
    case 10: return DType::Q2_K;
    case 11: return DType::Q3_K;
    case 12: return DType::Q4_K;
    case 13: return DType::Q5_K;
    case 14: return DType::Q6_K;
    case 20: return DType::IQ4_NL;
    case 30: return DType::BF16;
    default: return DType::Unsupported;
  }
}

// Names and block sizes of the ggml types setol does not decode, so their sizes can still be
// checked and their rows named (GGML_QUANT_SIZES).
struct OtherType {
  std::uint32_t id;
  const char* name;
  DTypeBlock block;
};
constexpr OtherType kOtherTypes[] = {
    {9, "Q8_1", {32, 36}},      {15, "Q8_K", {256, 292}},    {16, "IQ2_XXS", {256, 66}}, {17, "IQ2_XS", {256, 74}},
    {18, "IQ3_XXS", {256, 98}}, {19, "IQ1_S", {256, 50}},    {21, "IQ3_S", {256, 110}},  {22, "IQ2_S", {256, 82}},
    {23, "IQ4_XS", {256, 136}}, {24, "I8", {1, 1}},          {25, "I16", {1, 2}},        {26, "I32", {1, 4}},
    {27, "I64", {1, 8}},        {28, "F64", {1, 8}},         {29, "IQ1_M", {256, 56}},   {34, "TQ1_0", {256, 54}},
    {35, "TQ2_0", {256, 66}},
};

class Cursor {
 public:
  Cursor(const std::byte* d, std::size_t n, const std::string& path) : d_(d), n_(n), path_(path) {}
  [[noreturn]] void fail(const std::string& why) const {
    throw InputError(path_, "GGUF: " + why + " (at byte " + std::to_string(pos_) + ")");
  }
  std::uint64_t u(int bytes) {
    if (n_ - pos_ < static_cast<std::size_t>(bytes)) fail("truncated");
    const std::uint64_t v = read_le(d_ + pos_, bytes);
    pos_ += static_cast<std::size_t>(bytes);
    return v;
  }
  std::string str(std::size_t max_len) {
    const std::uint64_t len = u(8);
    if (len > n_ - pos_) fail("string longer than the file");
    if (len > max_len) fail("string of " + std::to_string(len) + " bytes");
    std::string s(reinterpret_cast<const char*>(d_ + pos_), static_cast<std::size_t>(len));
    pos_ += static_cast<std::size_t>(len);
    return s;
  }
  void skip(std::uint64_t bytes) {
    if (bytes > n_ - pos_) fail("value longer than the file");
    pos_ += static_cast<std::size_t>(bytes);
  }
  std::size_t pos() const { return pos_; }
  std::size_t left() const { return n_ - pos_; }

 private:
  const std::byte* d_;
  std::size_t n_;
  const std::string& path_;
  std::size_t pos_ = 0;
};

// Size in bytes of a scalar KV type, 0 for strings/arrays, -1 if unknown.
int scalar_size(std::uint32_t type) {
  switch (type) {
    case 0: case 1: case 7: return 1;     // u8, i8, bool
    case 2: case 3: return 2;             // u16, i16
    case 4: case 5: case 6: return 4;     // u32, i32, f32
    case 10: case 11: case 12: return 8;  // u64, i64, f64
    case 8: case 9: return 0;             // string, array
    default: return -1;
  }
}

// Reads one KV value; returns its text for strings and unsigned integers (for the metadata
// setol reports), skips everything else. Arrays may nest (bounded).
std::string value(Cursor& c, std::uint32_t type, int depth) {
  const int size = scalar_size(type);
  if (size < 0) c.fail("unknown value type " + std::to_string(type));
  if (size > 0) {
    const std::uint64_t v = c.u(size);
    return type == 4 || type == 10 || type == 0 || type == 2 ? std::to_string(v) : std::string();
  }
  if (type == 8) return c.str(1u << 30);
  if (depth > 8) c.fail("arrays nested too deep");
  const auto elem = static_cast<std::uint32_t>(c.u(4));
  const std::uint64_t count = c.u(8);
  const int es = scalar_size(elem);
  if (es < 0) c.fail("unknown array element type " + std::to_string(elem));
  if (es > 0) {
    if (count > c.left() / static_cast<std::uint64_t>(es)) c.fail("array longer than the file");
    c.skip(count * static_cast<std::uint64_t>(es));
  } else {
    if (count > c.left() / 8) c.fail("array longer than the file");  // every element takes >= 8 bytes
    for (std::uint64_t k = 0; k < count; ++k) value(c, elem, depth + 1);
  }
  return {};
}

struct Item {
  TensorInfo info;
  std::uint64_t offset = 0, bytes = 0;
};

class GgufReader final : public ModelReader {
 public:
  explicit GgufReader(const std::filesystem::path& path) : path_(path.string()), file_(MappedFile::open(path_)) {
    Cursor c(file_->data(), file_->size(), path_);
    if (file_->size() < 4 || std::memcmp(file_->data(), "GGUF", 4) != 0) c.fail("no GGUF magic");
    c.u(4);
    const auto version = c.u(4);
    if (version != 2 && version != 3) c.fail("unsupported version " + std::to_string(version) + " (2 and 3 are read)");
    const std::uint64_t n_tensors = c.u(8), n_kv = c.u(8);
    // A KV takes at least 8 + 1 + 4 + 1 bytes, a tensor info at least 8 + 4 + 8 + 4 + 8.
    if (n_kv > c.left() / 14) c.fail(std::to_string(n_kv) + " metadata pairs cannot fit the file");
    if (n_tensors > c.left() / 32) c.fail(std::to_string(n_tensors) + " tensors cannot fit the file");
    std::uint64_t alignment = 32;
    for (std::uint64_t k = 0; k < n_kv; ++k) {
      const std::string key = c.str(65536);
      const auto type = static_cast<std::uint32_t>(c.u(4));
      const std::string v = value(c, type, 0);
      if (key == "general.alignment") {
        if (type != 4) c.fail("general.alignment is not a uint32");
        alignment = std::stoull(v);
        if (alignment == 0 || (alignment & (alignment - 1)) != 0) c.fail("general.alignment is not a power of two");
      }
      if ((key == "general.architecture" || key == "general.name") && type == 8) metadata_.emplace_back(key, v);
    }
    std::set<std::string> names;
    for (std::uint64_t k = 0; k < n_tensors; ++k) {
      Item it;
      it.info.name = c.str(65536);
      if (!names.insert(it.info.name).second) c.fail("duplicate tensor name '" + it.info.name + "'");
      const auto n_dims = c.u(4);
      if (n_dims == 0 || n_dims > 4) c.fail("tensor '" + it.info.name + "' has " + std::to_string(n_dims) + " dimensions");
      std::vector<std::int64_t> ne(n_dims);
      for (auto& d : ne) {
        const std::uint64_t v = c.u(8);
        if (v > static_cast<std::uint64_t>(INT64_MAX)) c.fail("tensor '" + it.info.name + "' has a dimension too large");
        d = static_cast<std::int64_t>(v);
      }
      const auto type = static_cast<std::uint32_t>(c.u(4));
      it.offset = c.u(8);
      it.info.shape.assign(ne.rbegin(), ne.rend());  // PyTorch order
      it.info.dtype = ggml_dtype(type);
      it.info.dtype_text = std::string(dtype_name(it.info.dtype));
      it.info.source = path_;
      DTypeBlock block = dtype_block(it.info.dtype);
      if (it.info.dtype == DType::Unsupported) {
        it.info.dtype_text = "ggml type " + std::to_string(type);
        block = {};
        for (const auto& o : kOtherTypes)
          if (o.id == type) it.info.dtype_text = o.name, block = o.block;
        if (block.bytes == 0) c.fail("tensor '" + it.info.name + "' has unknown ggml type " + std::to_string(type));
        if (it.info.dtype_text[0] == 'I' && block.elems == 1) it.info.dtype = DType::Integer;
      }
      if (ne[0] % static_cast<std::int64_t>(block.elems) != 0)
        c.fail("tensor '" + it.info.name + "': row length " + std::to_string(ne[0]) + " is not a multiple of the " +
               it.info.dtype_text + " block size");
      std::vector<std::int64_t> blocks = ne;
      blocks[0] /= static_cast<std::int64_t>(block.elems);
      const auto bytes = checked_nbytes(blocks, block.bytes);
      if (!bytes) c.fail("tensor '" + it.info.name + "' size overflows");
      it.bytes = *bytes;
      if (it.offset % alignment != 0) c.fail("tensor '" + it.info.name + "' offset is not aligned");
      items_.push_back(std::move(it));
    }
    const std::uint64_t data_start = (c.pos() + alignment - 1) / alignment * alignment;
    for (const auto& it : items_) {
      if (data_start > file_->size() || it.offset > file_->size() - data_start ||
          it.bytes > file_->size() - data_start - it.offset)
        throw InputError(path_, "GGUF: tensor '" + it.info.name + "' extends past the end of the file");
    }
    data_start_ = data_start;
    for (const auto& it : items_) infos_.push_back(it.info);
  }
  std::string format() const override { return "gguf"; }
  const std::vector<TensorInfo>& tensors() const override { return infos_; }
  std::vector<std::pair<std::string, std::string>> metadata() const override { return metadata_; }
  TensorData load(std::size_t i) const override {
    const Item& it = items_.at(i);
    const std::byte* p = file_->data() + data_start_ + it.offset;
    return TensorData(it.info, p, tensor_pages(file_, p, static_cast<std::size_t>(it.bytes)), true);
  }

 private:
  std::string path_;
  std::shared_ptr<const MappedFile> file_;
  std::vector<Item> items_;
  std::vector<TensorInfo> infos_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::uint64_t data_start_ = 0;
};

}  // namespace

std::unique_ptr<ModelReader> open_gguf(const std::filesystem::path& path) { return std::make_unique<GgufReader>(path); }

}  // namespace setol::io
