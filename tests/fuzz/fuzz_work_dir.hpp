// The folder and file writing shared by the harnesses (tests/fuzz/README.md).
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace setol_fuzz {

// A private temporary folder, made on first use.
inline const std::filesystem::path& work_dir() {
  static const std::filesystem::path dir = [] {
    std::string d = (std::filesystem::temp_directory_path() / "setol-fuzz-XXXXXX").string();
    if (!mkdtemp(d.data())) std::abort();
    return std::filesystem::path(d);
  }();
  return dir;
}

// Makes the folder and has it removed at exit (from LLVMFuzzerInitialize). The exit handler is
// registered after the folder's path exists, so it runs before that path is destroyed.
inline void prepare_work_dir() {
  work_dir();
  std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(work_dir(), ec);
  });
}

// Replaces `file` with the fuzzer's input.
inline void write_input(const std::filesystem::path& file, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace setol_fuzz
