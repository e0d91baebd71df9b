// libFuzzer harness for one checkpoint reader (tests/fuzz/README.md).
//
// Built once per input format with SETOL_FUZZ_FORMAT (an --input-format name) and
// SETOL_FUZZ_SUFFIX (the file name ending the reader expects). Each input is written to a file
// and opened exactly as `setol analyze --input-format FORMAT FILE` opens it: listed, then every
// tensor loaded and read. The promise under test: a malformed file ends in setol::InputError
// (one line naming the file); anything else -- a crash, a sanitizer report, another exception,
// a leak, a hang or an allocation beyond libFuzzer's limits -- is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

#include "fuzz_work_dir.hpp"
#include "io/contained_process.hpp"
#include "io/readers.hpp"
#include "setol/error.hpp"
#include "setol/model_reader.hpp"
#include "setol/tensor.hpp"

namespace {

const std::filesystem::path& input_file() {
  static const std::filesystem::path path =
      setol_fuzz::work_dir() / (std::string("input") + SETOL_FUZZ_SUFFIX);
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setol_fuzz::prepare_work_dir();
  // The HDF5 harnesses keep the contained libhdf5 child from input to input, as a persistent
  // mode (io/readers.hpp): a fork of this sanitized process costs more than libhdf5's work on a
  // small file. SETOL_FUZZ_FORK_PER_FILE=1 gives each input a child of its own, as setol does.
  const char* per_file = std::getenv("SETOL_FUZZ_FORK_PER_FILE");
  setol::io::reuse_hdf5_children(!per_file || std::string(per_file) != "1");
  // A libhdf5 that loops on a damaged file is stopped after 0.05 s (an InputError, the designed
  // outcome), far inside libFuzzer's -timeout of 5 s for the whole input. About one mutated HDF5
  // file in eight loops, so this deadline sets the pace of the HDF5 harnesses: 0.25 s gave
  // 19-24 inputs a second, 0.05 s 89-98 (docs/reliability.md). A whole input grown from the
  // 444 KB seed (listed, every dataset read and decoded) takes about 14 ms with a reused child.
  // Only the HDF5 reader reads it; a value already set wins.
  setenv("SETOL_HDF5_TIMEOUT", "0.05", 0);
  return 0;
}

// A contained libhdf5 child that exits (rather than dying by a signal) ran a libFuzzer handler
// it inherited: -malloc_limit_mb's hook, on an allocation the reader should have refused. That
// handler saves the input the child was forked with, not the one it was reading (finding 13,
// docs/reliability.md), so the finding is raised here, where libFuzzer saves the right input.
static void check_children(std::size_t exited_before) {
  if (setol::io::ContainedProcess::exited() == exited_before) return;
  std::fprintf(stderr, "finding: the contained reader process exited (a libFuzzer handler ran in it; "
                       "SETOL_CONTAINED_STDERR=1 shows its report)\n");
  std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::size_t exited_before = setol::io::ContainedProcess::exited();
  setol_fuzz::write_input(input_file(), data, size);
  try {
    const auto model = setol::open_model(input_file(), SETOL_FUZZ_FORMAT);
    double sum = 0;
    for (std::size_t i = 0; i < model->tensors().size(); ++i) {
      const setol::TensorData t = model->load(i);
      // Decode every element through the reader's shape, strides and dtype: a view reaching
      // outside the file shows here under ASan. (A view can be far larger than the file, e.g.
      // a PyTorch stride-0 expansion; the analysis packs such views in panels and so does not
      // decode them whole here either.)
      if (t.info().numel() > (std::int64_t{1} << 22)) continue;
      for (const double x : setol::to_f64(t)) sum += x == x ? 0.0 : 1.0;
    }
    if (sum < 0) std::abort();  // keeps the reads
    check_children(exited_before);
  } catch (const setol::InputError&) {
    // the promised outcome for a malformed file
    check_children(exited_before);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "finding: exception other than InputError: %s\n", e.what());
    std::abort();
  }
  return 0;
}
