// The size and modification time of an input, recorded in JSONL headers so that --resume
// can refuse to complete a report from a checkpoint that has changed since.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "setol/report.hpp"

namespace setol {
namespace {

bool stat_file(const std::filesystem::path& p, std::int64_t& bytes, std::int64_t& mtime_ns) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  bytes = static_cast<std::int64_t>(st.st_size);
  mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

}  // namespace

void fingerprint(InputInfo& in) {
  std::error_code ec;
  if (stat_file(in.path, in.bytes, in.mtime_ns)) return;
  if (!std::filesystem::is_directory(in.path, ec)) return;
  // A folder: its regular files (not recursive), total size and latest time.
  std::int64_t total = 0, latest = 0;
  for (const auto& e : std::filesystem::directory_iterator(in.path, ec)) {
    std::int64_t b = 0, t = 0;
    if (!stat_file(e.path(), b, t)) continue;
    total += b;
    latest = std::max(latest, t);
  }
  if (ec) return;
  in.bytes = total;
  in.mtime_ns = latest;
}

}  // namespace setol
