#include "io/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "setol/error.hpp"

namespace setol::io {

std::shared_ptr<const MappedFile> MappedFile::open(const std::string& path) {
  // Only regular files: a FIFO, device or socket is refused before it is opened (opening a
  // FIFO would block), and the open itself does not block.
  struct stat pre {};
  if (::stat(path.c_str(), &pre) != 0) throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  if (S_ISDIR(pre.st_mode)) throw InputError(path, "is a directory, expected a file");
  if (!S_ISREG(pre.st_mode)) throw InputError(path, "not a regular file (a FIFO, device or socket)");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw InputError(path, std::string("cannot stat: ") + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw InputError(path, "not a regular file");
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  const std::byte* data = nullptr;
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int e = errno;
      ::close(fd);
      throw InputError(path, std::string("cannot map: ") + std::strerror(e));
    }
    data = static_cast<const std::byte*>(p);
  }
  ::close(fd);
  return std::shared_ptr<const MappedFile>(new MappedFile(path, data, size));
}

void drop_pages(const std::byte* begin, std::size_t size) {
  if (size == 0) return;
  static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto b = reinterpret_cast<std::uintptr_t>(begin), e = b + size;
  const std::uintptr_t lo = (b + page - 1) & ~(page - 1), hi = e & ~(page - 1);
  if (hi > lo) ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_);
}

namespace {
struct TensorPages {
  std::shared_ptr<const MappedFile> file;
  const std::byte* begin;
  std::size_t size;
  ~TensorPages() { drop_pages(begin, size); }
};
}  // namespace

std::shared_ptr<const void> tensor_pages(std::shared_ptr<const MappedFile> file, const std::byte* begin,
                                         std::size_t size) {
  return std::make_shared<TensorPages>(TensorPages{std::move(file), begin, size});
}

}  // namespace setol::io
