#include <malloc.h>

#include "setol/cli.hpp"

int main(int argc, char** argv) {
  // Every layer allocates and frees working buffers of a few MiB (packed panels, Gram matrices
  // of the smaller layers). glibc maps such a buffer afresh each time once it passes its
  // adaptive mmap threshold, and the kernel faults in and zeroes every page again; keeping
  // buffers up to 16 MiB in the heap (and up to 16 MiB of free heap before trimming it) lets
  // the next layer reuse the pages. Larger buffers (the big layers' Gram matrices) are still
  // mapped and returned at once, so peak memory stays that of the layers in flight.
  // Measured in docs/performance.md ("Rank-deficient layers").
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
  return setol::run_cli(argc, argv);
}
