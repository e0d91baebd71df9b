// libFuzzer harness for `setol merge` (tests/fuzz/README.md): each input is one JSONL part,
// merged alone and with itself, through the real command line. The promise under test: exit 0
// (a complete, consistent part) or exit 2 with one line naming the part; never a crash, a
// sanitizer report, an uncaught exception or another exit status.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz_work_dir.hpp"
#include "setol/cli.hpp"

namespace {

int run(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return setol::run_cli(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setol_fuzz::prepare_work_dir();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& dir = setol_fuzz::work_dir();
  const std::string part = (dir / "part.jsonl").string(), out = (dir / "merged.json").string();
  setol_fuzz::write_input(part, data, size);
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
