// Dispatch from a path to the reader for its format.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <functional>

#include "io/readers.hpp"
#include "setol/error.hpp"
#include "setol/model_reader.hpp"

namespace setol {
namespace fs = std::filesystem;

bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
    const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
    if (da && db) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      // Compare the digit runs by value: skip leading zeros, then length, then digits.
      std::size_t is = i, js = j;
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      if (ie - is != je - js) return ie - is < je - js;
      for (std::size_t k = 0; k < ie - is; ++k)
        if (a[is + k] != b[js + k]) return a[is + k] < b[js + k];
      if (ie - i != je - j) return ie - i < je - j;  // fewer leading zeros first
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

namespace {

std::string lower_ext(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e;
}

std::vector<fs::path> sorted_files(const fs::path& dir, const std::function<bool(const fs::path&)>& keep) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && keep(e.path())) out.push_back(e.path());
  if (ec) throw InputError(dir.string(), "cannot list folder: " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const fs::path& a, const fs::path& b) { return natural_less(a.filename().string(), b.filename().string()); });
  return out;
}

std::unique_ptr<ModelReader> open_dir(const fs::path& dir) {
  auto ends_with = [](const std::string& s, const std::string& suf) {
    return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
  };
  auto index = sorted_files(dir, [&](const fs::path& p) { return ends_with(p.filename().string(), ".safetensors.index.json"); });
  if (index.size() > 1) throw InputError(dir.string(), "more than one *.safetensors.index.json; name the one to use");
  if (index.size() == 1) return io::open_safetensors_index(index.front());
  auto st = sorted_files(dir, [](const fs::path& p) { return lower_ext(p) == ".safetensors"; });
  if (!st.empty()) return io::open_safetensors(st);
  auto npy = sorted_files(dir, [](const fs::path& p) { return lower_ext(p) == ".npy"; });
  if (!npy.empty()) return io::open_npy_files(npy, true);
  auto h5 = sorted_files(dir, [](const fs::path& p) { auto e = lower_ext(p); return e == ".h5" || e == ".hdf5"; });
  if (h5.size() == 1) return io::open_hdf5(h5.front());
  if (h5.size() > 1) throw InputError(dir.string(), "more than one .h5 file; name the one to analyze");
  throw InputError(dir.string(), "no .safetensors, .npy or .h5 weights found in this folder");
}

}  // namespace

std::unique_ptr<ModelReader> open_model(const fs::path& path) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw InputError(path.string(), "no such file or folder");
  if (fs::is_directory(st)) return open_dir(path);
  const std::string ext = lower_ext(path);
  if (ext == ".npy") return io::open_npy_files({path}, false);
  if (ext == ".safetensors") return io::open_safetensors({path});
  if (ext == ".h5" || ext == ".hdf5") return io::open_hdf5(path);
  if (path.filename().string().ends_with(".safetensors.index.json")) return io::open_safetensors_index(path);
  // Unknown extension: sniff the magic bytes.
  char head[8] = {};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), "cannot open");
  in.read(head, 8);
  if (in.gcount() >= 6 && std::memcmp(head, "\x93NUMPY", 6) == 0) return io::open_npy_files({path}, false);
  if (in.gcount() == 8 && std::memcmp(head, "\x89HDF\r\n\x1a\n", 8) == 0) return io::open_hdf5(path);
  throw InputError(path.string(), "unrecognised format (expected .npy, .safetensors, .h5 or a folder of them)");
}

}  // namespace setol
