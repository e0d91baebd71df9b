// One interface for every checkpoint format: a model is an ordered list of named
// tensors, listed without reading data and loaded lazily one at a time.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "setol/tensor.hpp"

namespace setol {

class ModelReader {
 public:
  virtual ~ModelReader() = default;
  // The format as reports name it: "npy", "npy-dir", "safetensors", "safetensors-sharded",
  // "hdf5", "keras-h5" (docs/formats.md).
  virtual std::string format() const = 0;
  // Tensors in model order. All sizes were checked against the file when it was opened.
  virtual const std::vector<TensorInfo>& tensors() const = 0;
  // Reads tensor i. Throws InputError if the file turns out to be unreadable.
  virtual TensorData load(std::size_t i) const = 0;
  // What the file says about the model it holds (GGUF: general.architecture, general.name).
  virtual std::vector<std::pair<std::string, std::string>> metadata() const { return {}; }
};

// Opens a file or a folder of one of the input formats (src/io/input_formats.cpp lists them;
// docs/formats.md describes them): by the file's name, else by its leading bytes.
// Throws InputError naming the path and the problem.
// A non-empty `format` (one of input_format_names()) skips detection.
std::unique_ptr<ModelReader> open_model(const std::filesystem::path& path, std::string_view format = {});

// The names of the input formats, as --input-format takes them.
std::vector<std::string> input_format_names();

// "layer2" before "layer10": compares digit runs by value.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace setol
