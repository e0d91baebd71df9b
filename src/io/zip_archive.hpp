// Read-only ZIP archives through minizip (zlib's contrib unzip, Debian libminizip-dev):
// PyTorch checkpoints, .npz and .keras files are ZIPs. Entries stored uncompressed are
// handed out as views into the memory-mapped file (no copy); deflated entries are inflated
// into memory, stopping at their declared size, with the CRC checked (internal).
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "io/mapped_file.hpp"

namespace setol::io {

struct ZipEntry {
  std::string name;
  int method = 0;                // 0 stored (the bytes are in the file as they are), 8 deflate
  bool stored = false;           // method == 0
  std::uint64_t size = 0;        // uncompressed size
  std::uint64_t data_offset = 0; // stored entries: where the bytes start in the file
  std::uint64_t pos_in_dir = 0, num_of_file = 0;  // minizip's position, to come back to it
};

// Bytes of one entry: a view into the mapping, or an owned buffer.
struct ZipBytes {
  const std::byte* data = nullptr;
  std::size_t size = 0;
  std::shared_ptr<const void> keepalive;
  bool mapped = false;
};

class ZipArchive {
 public:
  // Lists the entries; throws InputError if the file is not a readable ZIP or an entry's
  // stated sizes do not fit the file.
  explicit ZipArchive(const std::filesystem::path& path);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(std::string_view name) const;
  // Throws InputError if the entry cannot be read (bad data, CRC, larger than `max_size`).
  ZipBytes read(const ZipEntry& e, std::uint64_t max_size = kDefaultMaxInflate) const;

  static bool looks_like_zip(const std::byte* data, std::size_t size);
  // Inflated entries may not exceed this (a zip bomb stops here): half the machine's memory.
  static const std::uint64_t kDefaultMaxInflate;

 private:
  void list_entries();  // the central directory, into entries_ (throws InputError)
  std::string path_;
  std::shared_ptr<const MappedFile> file_;
  void* unz_ = nullptr;  // unzFile
  mutable std::mutex mutex_;
  std::vector<ZipEntry> entries_;
};

}  // namespace setol::io
