// Dispatch from a path to the reader for its format.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <functional>
#include <new>
#include <stdexcept>

#include "io/input_formats.hpp"
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

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The longest suffix of `format` that ends the file name, or 0.
std::size_t suffix_match(const io::InputFormat& format, const std::string& filename) {
  const std::string f = lower(filename);
  std::size_t best = 0;
  for (auto suf : format.suffixes)
    if (f.size() > suf.size() && f.ends_with(suf)) best = std::max(best, suf.size());
  return best;
}

const io::InputFormat* format_by_name(const fs::path& p) {
  const io::InputFormat* best = nullptr;
  std::size_t len = 0;
  for (const auto& f : io::input_formats()) {
    const std::size_t n = suffix_match(f, p.filename().string());
    if (n > len) best = &f, len = n;
  }
  return best;
}

const io::InputFormat* format_by_content(const fs::path& p) {
  char head[16] = {};
  std::ifstream in(p, std::ios::binary);
  if (!in) throw InputError(p.string(), "cannot open");
  in.read(head, sizeof head);
  const auto got = static_cast<std::size_t>(in.gcount());
  for (const auto& f : io::input_formats())
    if (!f.magic.empty() && got >= f.magic.size() && std::memcmp(head, f.magic.data(), f.magic.size()) == 0) return &f;
  return nullptr;
}

// ".safetensors.index.json, .safetensors, .npy, .h5 or .hdf5"
std::string known_suffixes() {
  std::vector<std::string> all;
  for (const auto& f : io::input_formats())
    for (auto s : f.suffixes) all.emplace_back(s);
  std::string out;
  for (std::size_t i = 0; i < all.size(); ++i) out += (i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + all[i];
  return out;
}

std::vector<fs::path> sorted_files(const fs::path& dir, const io::InputFormat& format) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && format_by_name(e.path()) == &format) out.push_back(e.path());
  if (ec) throw InputError(dir.string(), "cannot list folder: " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const fs::path& a, const fs::path& b) { return natural_less(a.filename().string(), b.filename().string()); });
  return out;
}

const io::InputFormat& format_named(std::string_view name) {
  for (const auto& f : io::input_formats())
    if (f.name == name) return f;
  throw std::logic_error("no input format " + std::string(name));
}

// A folder as people download it: Hugging Face's file names first, in its order of preference;
// otherwise the weight files of exactly one format (all of them for formats that split a model
// over files, exactly one file for the others). Weight files of several formats are an error
// that lists them.
std::unique_ptr<ModelReader> open_dir(const fs::path& dir, const io::InputFormat* only) {
  using F = io::InputFormat::InFolder;
  if (!only) {
    for (const auto& [file, format] : {std::pair{"model.safetensors.index.json", "safetensors-index"},
                                       {"model.safetensors", "safetensors"},
                                       {"pytorch_model.bin.index.json", "pytorch-index"},
                                       {"pytorch_model.bin", "pytorch"}}) {
      std::error_code ec;
      if (fs::is_regular_file(dir / file, ec)) return format_named(format).open({dir / file}, true);
    }
  }
  std::vector<std::pair<const io::InputFormat*, std::vector<fs::path>>> found;
  for (const auto& format : io::input_formats()) {
    if (format.in_folder == F::No || (only && only != &format)) continue;
    auto files = sorted_files(dir, format);
    if (!files.empty()) found.emplace_back(&format, std::move(files));
  }
  auto list = [&](std::size_t limit) {
    std::string names;
    std::size_t n = 0;
    for (const auto& [f, files] : found)
      for (const auto& p : files)
        if (n++ < limit) names += (names.empty() ? "" : ", ") + p.filename().string();
    return n > limit ? names + ", ..." : names;
  };
  if (found.empty()) {
    if (only) throw InputError(dir.string(), "no " + std::string(only->name) + " files in this folder");
    throw InputError(dir.string(), "no " + known_suffixes() + " weights found in this folder");
  }
  if (found.size() > 1)
    throw InputError(dir.string(), "weight files of several formats (" + list(8) +
                                       "); name the file to analyze, or choose with --input-format");
  const auto& [format, files] = found.front();
  if (format->in_folder == F::One && files.size() > 1)
    throw InputError(dir.string(), "more than one " + std::string(format->name) + " file (" + list(8) +
                                       "); name the one to analyze");
  return format->open(files, true);
}

}  // namespace

std::vector<std::string> input_format_names() {
  std::vector<std::string> names;
  for (const auto& f : io::input_formats()) names.emplace_back(f.name);
  return names;
}

namespace {

std::unique_ptr<ModelReader> open_model_unguarded(const fs::path& path, std::string_view forced) {
  const io::InputFormat* only = nullptr;
  if (!forced.empty()) {
    for (const auto& f : io::input_formats())
      if (f.name == forced) only = &f;
    if (!only) throw UsageError("--input-format: unknown format '" + std::string(forced) + "'");
  }
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) throw InputError(path.string(), "cannot access: " + ec.message());
  if (ec || !fs::exists(st)) throw InputError(path.string(), "no such file or folder");
  if (fs::is_directory(st)) return open_dir(path, only);
  if (!fs::is_regular_file(st)) throw InputError(path.string(), "not a regular file (a FIFO, device or socket)");
  if (only) return only->open({path}, false);
  const io::InputFormat* format = format_by_name(path);
  if (!format) format = format_by_content(path);
  if (!format) throw InputError(path.string(), "unrecognised format (expected " + known_suffixes() + " or a folder of them)");
  return format->open({path}, false);
}

}  // namespace

std::unique_ptr<ModelReader> open_model(const fs::path& path, std::string_view forced) {
  try {
    return open_model_unguarded(path, forced);
  } catch (const std::bad_alloc&) {  // a reader trusted a count or a size too far: never an anonymous bad_alloc
    throw InputError(path.string(), "out of memory while reading the file's list of tensors");
  } catch (const std::length_error&) {
    throw InputError(path.string(), "a count or size in the file is too large to hold in memory");
  }
}

}  // namespace setol
