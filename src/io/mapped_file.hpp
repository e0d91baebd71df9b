// Read-only memory mapping of a whole file (RAII). Tensors point into it.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

namespace setol::io {

class MappedFile {
 public:
  // Throws InputError(path, ...) if the file cannot be opened or mapped.
  static std::shared_ptr<const MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::byte* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  const std::string& path() const noexcept { return path_; }

 private:
  MappedFile(std::string path, const std::byte* data, std::size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const std::byte* data_;
  std::size_t size_;
};

// Drops the whole pages inside [begin, begin + size) of a read-only mapping from memory
// (madvise MADV_DONTNEED); they are re-read from the file if touched again.
void drop_pages(const std::byte* begin, std::size_t size);

// Keeps `file` mapped while a tensor at [begin, begin + size) is in use; when the tensor is
// released its pages are dropped, so reading a large checkpoint tensor by tensor keeps only the
// current tensor resident.
std::shared_ptr<const void> tensor_pages(std::shared_ptr<const MappedFile> file, const std::byte* begin,
                                         std::size_t size);

}  // namespace setol::io
