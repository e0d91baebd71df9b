#include "io/npy_format.hpp"

#include <cctype>
#include <cstring>

#include "io/checked_size.hpp"
#include "setol/error.hpp"

namespace setol::io {
namespace {

// A tiny reader for the Python dict literal in the header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (300, 784), }
class DictLiteral {
 public:
  DictLiteral(std::string text, const std::string& path) : s_(std::move(text)), path_(path) {}

  // Returns the raw text of the value for `key`, up to the next top-level comma or brace.
  std::string value(const std::string& key) const {
    for (const char q : {'\'', '"'}) {
      const std::string quoted = std::string(1, q) + key + std::string(1, q);
      auto k = s_.find(quoted);
      if (k == std::string::npos) continue;
      auto colon = s_.find(':', k + quoted.size());
      if (colon == std::string::npos) break;
      std::size_t i = colon + 1;
      while (i < s_.size() && std::isspace(static_cast<unsigned char>(s_[i]))) ++i;
      std::size_t j = i;
      int depth = 0;
      char in_quote = 0;
      for (; j < s_.size(); ++j) {
        char c = s_[j];
        if (in_quote) {
          if (c == in_quote) in_quote = 0;
          continue;
        }
        if (c == '\'' || c == '"') in_quote = c;
        else if (c == '(' || c == '[') ++depth;
        else if (c == ')' || c == ']') --depth;
        else if ((c == ',' || c == '}') && depth == 0) break;
      }
      std::string v = s_.substr(i, j - i);
      while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
      return v;
    }
    throw InputError(path_, "npy header has no '" + key + "' entry");
  }

 private:
  std::string s_;
  const std::string& path_;
};

std::string unquote(const std::string& v, const std::string& path) {
  if (v.size() < 2 || (v.front() != '\'' && v.front() != '"') || v.back() != v.front())
    throw InputError(path, "npy header: expected a quoted string, got " + v);
  return v.substr(1, v.size() - 2);
}

std::vector<std::int64_t> parse_shape(const std::string& v, const std::string& path) {
  if (v.size() < 2 || v.front() != '(' || v.back() != ')')
    throw InputError(path, "npy header: shape is not a tuple: " + v);
  std::vector<std::int64_t> shape;
  std::size_t i = 1;
  while (i < v.size() - 1) {
    while (i < v.size() - 1 && (std::isspace(static_cast<unsigned char>(v[i])) || v[i] == ',')) ++i;
    if (i >= v.size() - 1) break;
    std::size_t j = i;
    while (j < v.size() - 1 && std::isdigit(static_cast<unsigned char>(v[j]))) ++j;
    if (j == i || j - i > 15) throw InputError(path, "npy header: bad shape entry in " + v);
    shape.push_back(std::stoll(v.substr(i, j - i)));
    i = j;
    if (i < v.size() - 1 && v[i] == 'L') ++i;  // Python 2 long suffix
  }
  return shape;
}

}  // namespace

DType npy_descr_dtype(const std::string& descr, bool& big_endian) {
  big_endian = false;
  if (descr.size() < 3) return DType::Other;
  const char order = descr[0];
  const std::string kind = descr.substr(1);
  if (order == '>') big_endian = true;
  else if (order != '<' && order != '=' && order != '|') return DType::Other;
  if (kind == "f2") return DType::F16;
  if (kind == "f4") return DType::F32;
  if (kind == "f8") return DType::F64;
  if (kind == "i1" || kind == "i2" || kind == "i4" || kind == "i8" || kind == "u1" || kind == "u2" || kind == "u4" ||
      kind == "u8")
    return DType::Integer;
  return DType::Other;
}

NpyHeader parse_npy(const std::byte* data, std::size_t size, const std::string& path) {
  static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 10 || std::memcmp(data, magic, 6) != 0) throw InputError(path, "not a .npy file (bad magic)");
  const auto* u = reinterpret_cast<const unsigned char*>(data);
  const int major = u[6];
  std::size_t header_len = 0;
  std::size_t prefix = 0;
  if (major == 1) {
    header_len = static_cast<std::size_t>(u[8]) | (static_cast<std::size_t>(u[9]) << 8);
    prefix = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) throw InputError(path, "truncated .npy header");
    header_len = static_cast<std::size_t>(u[8]) | (static_cast<std::size_t>(u[9]) << 8) |
                 (static_cast<std::size_t>(u[10]) << 16) | (static_cast<std::size_t>(u[11]) << 24);
    prefix = 12;
  } else {
    throw InputError(path, "unsupported .npy format version " + std::to_string(major));
  }
  if (header_len > size - prefix)
    throw InputError(path, "truncated .npy header (header says " + std::to_string(header_len) + " bytes, file has " +
                               std::to_string(size - prefix) + ")");
  std::string text(reinterpret_cast<const char*>(data + prefix), header_len);
  DictLiteral dict(text, path);

  NpyHeader h;
  h.info.source = path;
  h.info.dtype_text = unquote(dict.value("descr"), path);
  h.info.dtype = npy_descr_dtype(h.info.dtype_text, h.info.big_endian);
  if (h.info.dtype == DType::Other)
    throw InputError(path, "unsupported dtype '" + h.info.dtype_text +
                               "' (setol reads float16, float32, float64 and lists integer arrays)");
  const std::string fo = dict.value("fortran_order");
  if (fo == "True") h.info.fortran_order = true;
  else if (fo == "False") h.info.fortran_order = false;
  else throw InputError(path, "npy header: fortran_order is neither True nor False");
  h.info.shape = parse_shape(dict.value("shape"), path);
  h.data_offset = prefix + header_len;

  const std::size_t esize = h.info.dtype == DType::Integer ? static_cast<std::size_t>(h.info.dtype_text.back() - '0')
                                                           : dtype_size(h.info.dtype);
  const auto nbytes = checked_nbytes(h.info.shape, esize);
  if (!nbytes) throw InputError(path, "npy header: shape overflows");
  const std::size_t have = size - h.data_offset;
  if (*nbytes != have)
    throw InputError(path, "file size does not match the header: shape and dtype need " + std::to_string(*nbytes) +
                               " data bytes, the file has " + std::to_string(have));
  return h;
}

}  // namespace setol::io
