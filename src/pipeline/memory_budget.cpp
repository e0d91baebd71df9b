// --max-memory: parsing a size and the default budget from the kernel's MemAvailable.
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "setol/analyze.hpp"
#include "setol/error.hpp"

namespace setol {
namespace {

// MemAvailable of /proc/meminfo in bytes (the kernel's estimate of what can be allocated
// without swapping), else the free physical pages; 0 when neither is known.
std::int64_t available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::int64_t kib = 0;
  std::string unit;
  while (in >> key >> kib) {
    std::getline(in, unit);
    if (key == "MemAvailable:") return kib * 1024;
  }
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<std::int64_t>(pages) * page : 0;
}

}  // namespace

std::int64_t parse_size(const std::string& text, const std::string& what) {
  auto bad = [&] { return UsageError(what + ": '" + text + "' is not a size (e.g. 512M, 8G)"); };
  std::istringstream in(text);
  double v = 0;
  if (!(in >> v) || !std::isfinite(v) || v <= 0) throw bad();
  std::string unit;
  in >> unit;
  if (!in.eof() && in.peek() != EOF) throw bad();
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.size() > 1 && (unit.substr(1) == "IB" || unit.substr(1) == "B")) unit = unit.substr(0, 1);
  const std::string units = "KMGT";
  double scale = 1;
  if (!unit.empty()) {
    const auto p = units.find(unit);
    if (unit.size() != 1 || p == std::string::npos) throw bad();
    scale = std::pow(1024.0, static_cast<double>(p + 1));
  }
  const double bytes = v * scale;
  if (bytes < 1 || bytes > 9.0e18) throw bad();
  return static_cast<std::int64_t>(bytes);
}

std::int64_t memory_budget(const AnalyzeOptions& opt) {
  if (!opt.max_memory.empty()) return parse_size(opt.max_memory, "--max-memory");
  const std::int64_t avail = available_memory();
  return avail > 0 ? avail / 4 * 3 : std::int64_t{4} << 30;
}

}  // namespace setol
