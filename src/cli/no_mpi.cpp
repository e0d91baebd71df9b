// The default build: no MPI, every run is a single process.
#include "cli/mpi_session.hpp"

namespace setol::cli {

MpiSession* mpi_session() { return nullptr; }
void mpi_finish() {}

}  // namespace setol::cli
