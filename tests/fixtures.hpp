// Helpers for tests: temporary folders and writers for .npy and .safetensors fixtures
// (written from the published format descriptions, independent of setol's readers).
#pragma once
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace fixtures {

// Number of elements that differ (exact comparison: decoded float32 values held in double).
inline std::size_t count_differences(const std::vector<double>& a, const std::vector<double>& b) {
  std::size_t d = a.size() == b.size() ? 0 : std::max(a.size(), b.size());
  for (std::size_t k = 0; k < std::min(a.size(), b.size()); ++k) d += a[k] != b[k];
  return d;
}

namespace fs = std::filesystem;

inline std::string data_dir() { return SETOL_TEST_DATA; }

class TempDir {
 public:
  TempDir() {
    static std::mt19937_64 rng(std::random_device{}());
    path_ = fs::temp_directory_path() / ("setol-test-" + std::to_string(rng()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& s) const { return path_ / s; }

 private:
  fs::path path_;
};

inline void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream o(p, std::ios::binary);
  o.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_bytes(const fs::path& p) {
  std::ifstream i(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(i), {});
}

// IEEE half from float (round to nearest even), for fixtures.
inline std::uint16_t float_to_half(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const int exp = static_cast<int>((x >> 23) & 0xff) - 127 + 15;
  std::uint32_t man = x & 0x7fffffu;
  if (exp >= 31) return static_cast<std::uint16_t>(sign | 0x7c00u);
  if (exp <= 0) return static_cast<std::uint16_t>(sign);  // flush tiny values (not used by tests)
  std::uint32_t h = sign | (static_cast<std::uint32_t>(exp) << 10) | (man >> 13);
  const std::uint32_t rest = man & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return static_cast<std::uint16_t>(h);
}

// Element bytes of `values` in the given npy dtype ("<f4", ">f8", "<f2", ...).
inline std::string encode(const std::vector<double>& values, const std::string& descr) {
  std::string out;
  const bool be = descr[0] == '>';
  const int size = descr[2] - '0';
  for (double v : values) {
    std::uint64_t bits = 0;
    if (size == 8) bits = std::bit_cast<std::uint64_t>(v);
    else if (size == 4) bits = std::bit_cast<std::uint32_t>(static_cast<float>(v));
    else if (descr[1] == 'b') bits = std::bit_cast<std::uint32_t>(static_cast<float>(v)) >> 16;  // bf16 (truncate)
    else bits = float_to_half(static_cast<float>(v));
    for (int b = 0; b < size; ++b) {
      const int shift = be ? 8 * (size - 1 - b) : 8 * b;
      out.push_back(static_cast<char>((bits >> shift) & 0xff));
    }
  }
  return out;
}

// A .npy image: version 1, 2 or 3, values given in storage order.
inline std::string npy_image(const std::vector<std::int64_t>& shape, const std::vector<double>& storage,
                             const std::string& descr = "<f4", bool fortran = false, int version = 1) {
  std::string shp = "(";
  for (auto d : shape) shp += std::to_string(d) + ", ";
  if (shape.size() > 1) shp.resize(shp.size() - 2);
  else if (shape.size() == 1) shp.resize(shp.size() - 1);
  shp += ")";
  std::string h = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shp +
                  ", }";
  const std::size_t prefix = version == 1 ? 10 : 12;
  h.append((64 - (prefix + h.size() + 1) % 64) % 64, ' ');
  h += '\n';
  std::string out = "\x93NUMPY";
  out.push_back(static_cast<char>(version));
  out.push_back('\0');
  const std::size_t len = h.size();
  for (std::size_t b = 0; b < (version == 1 ? 2u : 4u); ++b) out.push_back(static_cast<char>((len >> (8 * b)) & 0xff));
  return out + h + encode(storage, descr);
}

struct StTensor {
  std::string name, dtype;  // "F32", "F16", "BF16", "F64"
  std::vector<std::int64_t> shape;
  std::vector<double> values;  // C order
};

// A .safetensors image with the tensors in the given order.
inline std::string safetensors_image(const std::vector<StTensor>& ts, const std::string& metadata = "") {
  std::string header = "{";
  std::string data;
  if (!metadata.empty()) header += "\"__metadata__\":" + metadata + ",";
  for (const auto& t : ts) {
    const std::string descr = t.dtype == "F32" ? "<f4" : t.dtype == "F64" ? "<f8" : t.dtype == "F16" ? "<f2" : "<b2";
    const std::string bytes = encode(t.values, descr);
    std::string shp = "[";
    for (std::size_t i = 0; i < t.shape.size(); ++i) shp += (i ? "," : "") + std::to_string(t.shape[i]);
    shp += "]";
    header += "\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":" + shp + ",\"data_offsets\":[" +
              std::to_string(data.size()) + "," + std::to_string(data.size() + bytes.size()) + "]},";
    data += bytes;
  }
  if (header.back() == ',') header.pop_back();
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string out;
  const std::uint64_t n = header.size();
  for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>((n >> (8 * b)) & 0xff));
  return out + header + data;
}

inline std::vector<double> iota_values(std::size_t n, double start = 0.5, double step = 0.25) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = start + step * static_cast<double>(i);
  return v;
}

// Writes `bytes` to `path` and expects open_model to fail with a one-line InputError that
// names the file and contains `fragment`.
template <class OpenModel>
void expect_input_error(OpenModel open_model, const fs::path& path, const std::string& bytes,
                        const std::string& fragment) {
  write_bytes(path, bytes);
  try {
    open_model(path);
    ADD_FAILURE() << "no error for: " << fragment;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line";
  }
}

}  // namespace fixtures
