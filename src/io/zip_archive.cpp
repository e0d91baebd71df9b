#include "io/zip_archive.hpp"

#include <minizip/unzip.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "setol/error.hpp"

namespace setol::io {
namespace {

std::uint64_t half_of_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return std::uint64_t{1} << 32;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 2;
}

// The end-of-central-directory record (22 bytes + comment) must end exactly at the end of the
// file: a truncated or padded archive is refused even where minizip would still find its way.
void check_end_record(const std::byte* d, std::size_t n, const std::string& path) {
  if (n < 22) throw InputError(path, "too short for a ZIP archive");
  const std::size_t lowest = n > 22 + 65535 ? n - 22 - 65535 : 0;
  for (std::size_t p = n - 22 + 1; p-- > lowest;) {
    if (std::memcmp(d + p, "PK\x05\x06", 4) != 0) continue;
    const std::size_t comment = static_cast<std::size_t>(d[p + 20]) | static_cast<std::size_t>(d[p + 21]) << 8;
    if (p + 22 + comment == n) return;
  }
  throw InputError(path, "truncated or damaged ZIP archive (no end-of-directory record at the end of the file)");
}

// minizip reads through these callbacks from the mapping already checked above, not from a
// second open of the path: every byte it sees is the byte we validated, and it costs no
// system call (minizip seeks and reads a few bytes at a time, two system calls each).
struct MappedCursor {
  const MappedFile* file;
  std::uint64_t pos = 0;
};

voidpf mapped_open(voidpf opaque, const void*, int) { return new MappedCursor{static_cast<const MappedFile*>(opaque)}; }

uLong mapped_read(voidpf, voidpf stream, void* buf, uLong size) {
  auto* c = static_cast<MappedCursor*>(stream);
  const std::uint64_t left = c->pos < c->file->size() ? c->file->size() - c->pos : 0;
  const auto n = static_cast<uLong>(std::min<std::uint64_t>(size, left));
  if (n > 0) std::memcpy(buf, c->file->data() + c->pos, n);
  c->pos += n;
  return n;
}

uLong mapped_write(voidpf, voidpf, const void*, uLong) { return 0; }  // read-only

ZPOS64_T mapped_tell(voidpf, voidpf stream) { return static_cast<MappedCursor*>(stream)->pos; }

long mapped_seek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto* c = static_cast<MappedCursor*>(stream);
  std::uint64_t base = 0;
  if (origin == ZLIB_FILEFUNC_SEEK_CUR) base = c->pos;
  else if (origin == ZLIB_FILEFUNC_SEEK_END) base = c->file->size();
  else if (origin != ZLIB_FILEFUNC_SEEK_SET) return -1;
  if (offset > c->file->size() || base > c->file->size() - offset) return -1;  // outside the file
  c->pos = base + offset;
  return 0;
}

int mapped_close(voidpf, voidpf stream) {
  delete static_cast<MappedCursor*>(stream);
  return 0;
}

int mapped_error(voidpf, voidpf) { return 0; }

}  // namespace

const std::uint64_t ZipArchive::kDefaultMaxInflate = half_of_memory();

bool ZipArchive::looks_like_zip(const std::byte* data, std::size_t size) {
  return size >= 4 && std::memcmp(data, "PK\x03\x04", 4) == 0;
}

ZipArchive::ZipArchive(const std::filesystem::path& path) : path_(path.string()) {
  file_ = MappedFile::open(path_);
  check_end_record(file_->data(), file_->size(), path_);
  zlib_filefunc64_def io{mapped_open, mapped_read, mapped_write, mapped_tell, mapped_seek,
                         mapped_close, mapped_error, const_cast<MappedFile*>(file_.get())};
  unz_ = unzOpen2_64(path_.c_str(), &io);
  if (!unz_) throw InputError(path_, "not a readable ZIP archive (no central directory)");
  try {
    list_entries();
  } catch (...) {  // the destructor does not run for a constructor that throws
    unzClose(unz_);
    throw;
  }
}

void ZipArchive::list_entries() {
  unz_global_info64 gi{};
  if (unzGetGlobalInfo64(unz_, &gi) != UNZ_OK) throw InputError(path_, "unreadable ZIP central directory");
  // Each central-directory record takes at least 46 bytes: a count beyond that is a lie.
  if (gi.number_entry > file_->size() / 46) throw InputError(path_, "ZIP directory claims more entries than fit the file");
  entries_.reserve(static_cast<std::size_t>(gi.number_entry));
  int rc = unzGoToFirstFile(unz_);
  while (rc == UNZ_OK) {
    unz_file_info64 fi{};
    char name[4096];
    if (unzGetCurrentFileInfo64(unz_, &fi, name, sizeof name, nullptr, 0, nullptr, 0) != UNZ_OK)
      throw InputError(path_, "unreadable ZIP entry header");
    if (fi.size_filename >= sizeof name) throw InputError(path_, "ZIP entry name too long");
    ZipEntry e;
    e.name.assign(name, fi.size_filename);
    e.method = static_cast<int>(fi.compression_method);
    e.stored = e.method == 0;
    e.size = fi.uncompressed_size;
    unz64_file_pos pos{};
    unzGetFilePos64(unz_, &pos);
    e.pos_in_dir = pos.pos_in_zip_directory;
    e.num_of_file = pos.num_of_file;
    if (e.stored) {
      if (fi.compressed_size != fi.uncompressed_size)
        throw InputError(path_, "ZIP entry '" + e.name + "' is stored but its sizes differ");
      if (unzOpenCurrentFile(unz_) != UNZ_OK) throw InputError(path_, "cannot open ZIP entry '" + e.name + "'");
      e.data_offset = unzGetCurrentFileZStreamPos64(unz_);
      unzCloseCurrentFile(unz_);
      if (e.data_offset > file_->size() || e.size > file_->size() - e.data_offset)
        throw InputError(path_, "ZIP entry '" + e.name + "' extends past the end of the file");
    }
    entries_.push_back(std::move(e));
    rc = unzGoToNextFile(unz_);
  }
  if (rc != UNZ_END_OF_LIST_OF_FILE) throw InputError(path_, "damaged ZIP central directory");
}

ZipArchive::~ZipArchive() {
  if (unz_) unzClose(unz_);
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  for (const auto& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

ZipBytes ZipArchive::read(const ZipEntry& e, std::uint64_t max_size) const {
  if (e.stored) {
    const std::byte* p = file_->data() + e.data_offset;
    return {p, static_cast<std::size_t>(e.size), tensor_pages(file_, p, static_cast<std::size_t>(e.size)), true};
  }
  if (e.method != Z_DEFLATED)
    throw InputError(path_, "ZIP entry '" + e.name + "' uses compression method " + std::to_string(e.method) +
                                " (only stored and deflate are read)");
  if (e.size > max_size)
    throw InputError(path_, "ZIP entry '" + e.name + "' declares " + std::to_string(e.size) +
                                " bytes uncompressed, more than the " + std::to_string(max_size) + " allowed");
  const std::lock_guard<std::mutex> lock(mutex_);
  unz64_file_pos pos{e.pos_in_dir, e.num_of_file};
  if (unzGoToFilePos64(unz_, &pos) != UNZ_OK || unzOpenCurrentFile(unz_) != UNZ_OK)
    throw InputError(path_, "cannot open ZIP entry '" + e.name + "'");
  auto buf = std::make_shared<std::vector<std::byte>>(static_cast<std::size_t>(e.size));
  std::uint64_t got = 0;
  while (got < e.size) {
    const auto chunk = static_cast<unsigned>(std::min<std::uint64_t>(e.size - got, 1u << 30));
    const int n = unzReadCurrentFile(unz_, buf->data() + got, chunk);
    if (n <= 0) break;
    got += static_cast<std::uint64_t>(n);
  }
  char extra;
  const bool more = got == e.size && unzReadCurrentFile(unz_, &extra, 1) > 0;  // inflates past its declared size
  const int close = unzCloseCurrentFile(unz_);
  if (got != e.size || more)
    throw InputError(path_, "ZIP entry '" + e.name + "' does not inflate to its declared " + std::to_string(e.size) + " bytes");
  if (close == UNZ_CRCERROR) throw InputError(path_, "ZIP entry '" + e.name + "' fails its CRC check");
  return {buf->data(), buf->size(), buf, false};
}

}  // namespace setol::io
