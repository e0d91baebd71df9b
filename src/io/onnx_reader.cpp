// ONNX models through Debian's ONNX protobuf classes (libonnx-dev: onnx_pb.h over libprotobuf).
// Weights are every graph initializer and every Constant node's tensor, subgraphs (If, Loop,
// Scan bodies) included, in graph order. Data come from raw_data (little-endian), the typed
// fields (float_data, double_data, int32_data holding float16/bfloat16 bits) or external
// data (location, offset, length relative to the model's folder; a path leaving the folder is
// refused). Orientation from the consuming node: MatMul's B and Gemm's B without transB are
// stored (in, out) and reported as the PyTorch (out, in) view; Conv weights are OIHW.
#include <onnx/onnx_pb.h>

#include <charconv>
#include <cstring>
#include <unordered_map>

#include "io/checked_size.hpp"
#include "io/mapped_file.hpp"
#include "io/readers.hpp"
#include "setol/error.hpp"

namespace setol::io {
namespace {

namespace fs = std::filesystem;

struct Item {
  TensorInfo info;
  const onnx::TensorProto* proto = nullptr;
  bool transposed = false;  // stored (in, out): reported as the (out, in) view
};

struct ElementType {
  DType dtype;
  std::size_t size;
  const char* name;
};

ElementType element_type(int t) {
  switch (t) {
    case onnx::TensorProto::FLOAT: return {DType::F32, 4, "FLOAT"};
    case onnx::TensorProto::FLOAT16: return {DType::F16, 2, "FLOAT16"};
    case onnx::TensorProto::BFLOAT16: return {DType::BF16, 2, "BFLOAT16"};
    case onnx::TensorProto::DOUBLE: return {DType::F64, 8, "DOUBLE"};
    case onnx::TensorProto::INT8: return {DType::Integer, 1, "INT8"};
    case onnx::TensorProto::UINT8: return {DType::Integer, 1, "UINT8"};
    case onnx::TensorProto::INT16: return {DType::Integer, 2, "INT16"};
    case onnx::TensorProto::UINT16: return {DType::Integer, 2, "UINT16"};
    case onnx::TensorProto::INT32: return {DType::Integer, 4, "INT32"};
    case onnx::TensorProto::UINT32: return {DType::Integer, 4, "UINT32"};
    case onnx::TensorProto::INT64: return {DType::Integer, 8, "INT64"};
    case onnx::TensorProto::UINT64: return {DType::Integer, 8, "UINT64"};
    default: return {DType::Other, 0, "other"};
  }
}

class OnnxReader final : public ModelReader {
 public:
  explicit OnnxReader(const fs::path& path) : path_(path.string()), dir_(path.parent_path()) {
    auto file = MappedFile::open(path_);
    if (file->size() > static_cast<std::size_t>(INT32_MAX))
      throw InputError(path_, "ONNX file over 2 GiB (protobuf's limit): large models keep their weights as external data");
    if (!model_.ParseFromArray(file->data(), static_cast<int>(file->size())))
      throw InputError(path_, "not a valid ONNX model (protobuf parse failed)");
    if (!model_.has_graph()) throw InputError(path_, "ONNX model without a graph");
    walk(model_.graph(), 0);
    for (auto& it : items_) {
      const auto& p = *it.proto;
      const ElementType et = element_type(p.data_type());
      it.info.dtype = et.dtype;
      it.info.dtype_text = et.name;
      it.info.source = path_;
      for (auto d : p.dims()) {
        if (d < 0) throw InputError(path_, "tensor '" + p.name() + "' has a negative dimension");
        it.info.shape.push_back(d);
      }
      if (!checked_nbytes(it.info.shape, std::max<std::size_t>(et.size, 1)))
        throw InputError(path_, "tensor '" + p.name() + "' size overflows");
      if (it.transposed && it.info.shape.size() == 2 && et.dtype != DType::Other) {
        std::swap(it.info.shape[0], it.info.shape[1]);
        it.info.strides = {1, it.info.shape[0]};
      }
      check_data(it, et);  // every size and external range before any use
      infos_.push_back(it.info);
    }
  }
  std::string format() const override { return "onnx"; }
  const std::vector<TensorInfo>& tensors() const override { return infos_; }
  TensorData load(std::size_t i) const override {
    const Item& it = items_.at(i);
    const auto& p = *it.proto;
    const ElementType et = element_type(p.data_type());
    if (p.data_location() == onnx::TensorProto::EXTERNAL) {
      const auto [file, offset] = external(p);
      auto m = MappedFile::open(file.string());
      return TensorData(it.info, m->data() + offset, m, true);
    }
    if (!p.raw_data().empty())
      return TensorData(it.info, reinterpret_cast<const std::byte*>(p.raw_data().data()), keepalive(), false);
    if (et.dtype == DType::F32) return TensorData(it.info, bytes_of(p.float_data().data()), keepalive(), false);
    if (et.dtype == DType::F64) return TensorData(it.info, bytes_of(p.double_data().data()), keepalive(), false);
    if (et.dtype == DType::F16 || et.dtype == DType::BF16) {  // int32_data holds one 16-bit pattern each
      auto v = std::make_shared<std::vector<std::uint16_t>>();
      for (auto x : p.int32_data()) v->push_back(static_cast<std::uint16_t>(x));
      return TensorData(it.info, bytes_of(v->data()), v, false);
    }
    throw InputError(path_, "tensor '" + p.name() + "': no readable data");
  }

 private:
  template <class T>
  static const std::byte* bytes_of(const T* p) {
    return reinterpret_cast<const std::byte*>(p);
  }
  // The parsed model owns raw_data and the typed fields; a tensor keeps the reader's copy alive.
  std::shared_ptr<const void> keepalive() const { return {std::shared_ptr<const void>{}, &model_}; }

  void walk(const onnx::GraphProto& g, int depth) {
    if (depth > 16) throw InputError(path_, "ONNX subgraphs nested too deep");
    std::unordered_map<std::string, bool> transposed;  // weight name -> stored (in, out)
    for (const auto& n : g.node()) {
      bool trans_b = false;
      for (const auto& a : n.attribute())
        if (a.name() == "transB") trans_b = a.i() != 0;
      if (n.input_size() >= 2 && (n.op_type() == "MatMul" || (n.op_type() == "Gemm" && !trans_b)))
        transposed[n.input(1)] = true;
    }
    for (const auto& t : g.initializer()) add(t, t.name(), transposed);
    for (const auto& n : g.node()) {
      for (const auto& a : n.attribute()) {
        if (n.op_type() == "Constant" && a.name() == "value" && a.has_t() && n.output_size() > 0)
          add(a.t(), n.output(0), transposed);
        if (a.has_g()) walk(a.g(), depth + 1);
        for (const auto& sub : a.graphs()) walk(sub, depth + 1);
      }
    }
  }
  void add(const onnx::TensorProto& t, const std::string& name, const std::unordered_map<std::string, bool>& trans) {
    Item it;
    it.proto = &t;
    it.info.name = name;
    auto f = trans.find(name);
    it.transposed = f != trans.end() && f->second;
    items_.push_back(std::move(it));
  }
  // An external_data value that must be a decimal byte count ("offset", "length").
  std::uint64_t external_number(const onnx::TensorProto& p, const std::string& key, const std::string& text) const {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
      throw InputError(path_, "tensor '" + p.name() + "': external data " + key + " is not a number");
    return v;
  }
  // The external file of a tensor and its data offset; the file must be inside the model's folder.
  std::pair<fs::path, std::uint64_t> external(const onnx::TensorProto& p) const {
    std::string location;
    std::uint64_t offset = 0;
    for (const auto& kv : p.external_data()) {
      if (kv.key() == "location") location = kv.value();
      else if (kv.key() == "offset") offset = external_number(p, "offset", kv.value());
    }
    const fs::path rel(location);
    if (location.empty() || rel.is_absolute())
      throw InputError(path_, "tensor '" + p.name() + "': external data location '" + location + "' is not a relative path");
    for (const auto& part : rel)
      if (part == "..") throw InputError(path_, "tensor '" + p.name() + "': external data location leaves the model's folder");
    return {dir_ / rel, offset};
  }
  void check_data(const Item& it, const ElementType& et) {
    const auto& p = *it.proto;
    if (et.dtype == DType::Other) return;
    const std::uint64_t need = *checked_nbytes(it.info.shape, et.size);
    const auto numel = static_cast<std::uint64_t>(it.info.numel());
    auto bad = [&](const std::string& why) { return InputError(path_, "tensor '" + p.name() + "': " + why); };
    if (p.data_location() == onnx::TensorProto::EXTERNAL) {
      std::uint64_t length = need;
      for (const auto& kv : p.external_data())
        if (kv.key() == "length") length = external_number(p, "length", kv.value());
      const auto [file, offset] = external(p);
      std::error_code ec;
      const auto size = fs::file_size(file, ec);
      if (ec) throw bad("external data file '" + file.string() + "' cannot be read");
      if (length != need) throw bad("external length " + std::to_string(length) + " is not the " + std::to_string(need) + " bytes of its shape");
      if (offset > size || need > size - offset) throw bad("external data range lies outside '" + file.string() + "'");
      return;
    }
    std::uint64_t have = 0;
    if (!p.raw_data().empty()) have = p.raw_data().size();
    else if (et.dtype == DType::F32) have = static_cast<std::uint64_t>(p.float_data_size()) * 4;
    else if (et.dtype == DType::F64) have = static_cast<std::uint64_t>(p.double_data_size()) * 8;
    else if (et.dtype == DType::F16 || et.dtype == DType::BF16) have = static_cast<std::uint64_t>(p.int32_data_size()) * 2;
    else if (et.dtype == DType::Integer) return;  // listed only, never read
    if (have != need)
      throw bad("holds " + std::to_string(have) + " bytes of data, its shape needs " + std::to_string(need) + " (" +
                std::to_string(numel) + " elements)");
  }

  std::string path_;
  fs::path dir_;
  onnx::ModelProto model_;
  std::vector<Item> items_;
  std::vector<TensorInfo> infos_;
};

}  // namespace

std::unique_ptr<ModelReader> open_onnx(const std::filesystem::path& path) { return std::make_unique<OnnxReader>(path); }

}  // namespace setol::io
