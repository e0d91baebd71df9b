#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <bit>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "setol/error.hpp"
#include "setol/report.hpp"

namespace setol {
namespace {

// The temporary files in flight, kept where a signal handler can read them without locks or
// allocation: a fixed table of slots, each claimed and released with an atomic flag.
constexpr int kSlots = 64;
constexpr std::size_t kPathMax = 4096;
struct PendingSlot {
  std::atomic<bool> claimed{false};  // owned by an AtomicFile
  std::atomic<bool> ready{false};    // path complete: the handler may read it
  char path[kPathMax];
};
PendingSlot g_pending[kSlots];

int claim_slot(const std::string& path) {
  if (path.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (g_pending[i].claimed.compare_exchange_strong(expected, true)) {
      std::memcpy(g_pending[i].path, path.c_str(), path.size() + 1);
      g_pending[i].ready.store(true);
      return i;
    }
  }
  return -1;  // more than kSlots outputs at once: that one is simply not cleaned up on a signal
}

void release_slot(int i) {
  if (i < 0) return;
  g_pending[i].ready.store(false);
  g_pending[i].claimed.store(false);
}

}  // namespace

void remove_pending_outputs() {
  for (auto& s : g_pending)
    if (s.ready.load()) ::unlink(s.path);
}

struct AtomicFile::Impl {
  std::filesystem::path target;
  std::string temp;
  std::ofstream out;
  bool committed = false;
  int slot = -1;
};

AtomicFile::AtomicFile(const std::filesystem::path& target) : impl_(std::make_unique<Impl>()) {
  impl_->target = target;
  const auto dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::string templ = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  int fd = ::mkstemp(templ.data());
  if (fd < 0) throw InputError(target.string(), std::string("cannot create output file: ") + std::strerror(errno));
  // mkstemp makes the file private (0600); an output file gets the usual permissions (0666 & ~umask).
  static const mode_t mask = [] {
    const mode_t m = ::umask(0);
    ::umask(m);
    return m;
  }();
  ::fchmod(fd, 0666 & ~mask);
  ::close(fd);
  impl_->temp = templ;
  impl_->slot = claim_slot(templ);
  impl_->out.open(templ, std::ios::binary | std::ios::trunc);
  if (!impl_->out) {
    std::remove(templ.c_str());
    release_slot(impl_->slot);
    throw InputError(target.string(), "cannot write output file");
  }
}

AtomicFile::~AtomicFile() {
  if (!impl_->committed) {
    impl_->out.close();
    std::remove(impl_->temp.c_str());
    release_slot(impl_->slot);
  }
}

std::ostream& AtomicFile::stream() { return impl_->out; }

void AtomicFile::commit() {
  impl_->out.flush();
  const bool ok = static_cast<bool>(impl_->out);
  impl_->out.close();
  if (!ok) throw InputError(impl_->target.string(), "write failed (disk full?)");
  if (std::rename(impl_->temp.c_str(), impl_->target.c_str()) != 0)
    throw InputError(impl_->target.string(), std::string("cannot rename output into place: ") + std::strerror(errno));
  impl_->committed = true;
  release_slot(impl_->slot);
}

void write_npy_f64(const std::filesystem::path& path, const std::vector<double>& values) {
  static_assert(std::endian::native == std::endian::little, "the .npy writer emits the host byte order as <f8");
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(values.size()) + ",), }";
  // Pad so that magic(6) + version(2) + len(2) + header + '\n' is a multiple of 64.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  AtomicFile f(path);
  auto& os = f.stream();
  os.write("\x93NUMPY\x01\x00", 8);
  const auto len = static_cast<std::uint16_t>(header.size());
  const char lb[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  os.write(lb, 2);
  os.write(header.data(), static_cast<std::streamsize>(header.size()));
  os.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(double)));
  f.commit();
}

}  // namespace setol
