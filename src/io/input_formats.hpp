// The input formats, declared once (internal): how each is recognised by name, by content
// and in a folder, and which reader opens it. Adding a reader: one row in input_formats.cpp
// and one file with its open function (see readers.hpp).
#pragma once
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "setol/model_reader.hpp"

namespace setol::io {

struct InputFormat {
  std::string_view name;                   // as ModelReader::format() reports a single file
  std::vector<std::string_view> suffixes;  // file-name endings, lower case (the longest match wins)
  std::string_view magic;                  // leading bytes, for files named otherwise; empty: none
  // In a folder: not looked for, every matching file (natural order, one model), or exactly one.
  enum class InFolder { No, All, One } in_folder = InFolder::No;
  // Opens the files (one, or all a folder holds); `from_folder` says they came from a folder.
  std::unique_ptr<ModelReader> (*open)(const std::vector<std::filesystem::path>& files, bool from_folder);
};

// In the order a folder is searched: the first format with a matching file decides.
const std::vector<InputFormat>& input_formats();

}  // namespace setol::io
