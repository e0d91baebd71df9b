// libFuzzer harness for `setol merge` (tests/fuzz/README.md): each input is one JSONL part,
// merged alone and with itself, through the real command line. The promise under test: exit 0
// (a complete, consistent part) or exit 2 with one line naming the part; never a crash, a
// sanitizer report, an uncaught exception or another exit status.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "setol/cli.hpp"

namespace {

const std::filesystem::path& work_dir() {
  static const std::filesystem::path dir = [] {
    std::string d = (std::filesystem::temp_directory_path() / "setol-fuzz-XXXXXX").string();
    if (!mkdtemp(d.data())) std::abort();
    return std::filesystem::path(d);
  }();
  return dir;
}

void remove_work_dir() {
  std::error_code ec;
  std::filesystem::remove_all(work_dir(), ec);
}

int run(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return setol::run_cli(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  work_dir();
  std::atexit(remove_work_dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string part = (work_dir() / "part.jsonl").string(), out = (work_dir() / "merged.json").string();
  {
    std::ofstream f(part, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  for (const auto& args : {std::vector<std::string>{"setol", "merge", part, "-q", "-o", out},
                           std::vector<std::string>{"setol", "merge", part, part, "-q", "-o", out}}) {
    const int status = run(args);
    if (status != 0 && status != 2) {
      std::fprintf(stderr, "finding: setol merge exited %d\n", status);
      std::abort();
    }
    std::error_code ec;
    std::filesystem::remove(out, ec);
  }
  return 0;
}
