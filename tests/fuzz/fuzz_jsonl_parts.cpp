// libFuzzer harness for `setol merge` (tests/fuzz/README.md): each input is one JSONL part,
// merged alone and with itself. The promise under test: the merge completes, or it ends in
// setol::InputError (the one-line error naming the part) or a UsageError (a part missing);
// any other exception (a JSON library error that names no file, std::bad_variant_access ...),
// a crash or a sanitizer report is a finding. The harness calls the command's function, not
// the command line, whose option parser would cost more than the merge itself (and whose
// catch-all would turn any exception into exit 2).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "fuzz_work_dir.hpp"
#include "setol/error.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setol_fuzz::prepare_work_dir();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& dir = setol_fuzz::work_dir();
  const std::string part = (dir / "part.jsonl").string(), out = (dir / "merged.json").string();
  setol_fuzz::write_input(part, data, size);
  for (auto parts : {std::vector<std::string>{part}, std::vector<std::string>{part, part}}) {
    setol::cli::MergeArgs args;
    args.parts = std::move(parts);
    args.out.output = out;
    args.out.quiet = true;
    try {
      setol::cli::run_merge(args);
    } catch (const setol::InputError&) {
    } catch (const setol::UsageError&) {
    } catch (const std::exception& e) {
      std::fprintf(stderr, "finding: setol merge threw %s\n", e.what());
      std::abort();
    }
    std::error_code ec;
    std::filesystem::remove(out, ec);
  }
  return 0;
}
