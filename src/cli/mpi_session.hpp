// Running under mpirun (the -DSETOL_MPI=ON build): one process per rank, rank 0 hands out
// the units of work (largest remaining first, to whichever rank asks) and writes the report;
// the other ranks compute and send their rows back (internal).
#pragma once
#include <cstddef>
#include <functional>
#include <string>

#include "setol/analyze.hpp"

namespace setol::cli {

class MpiSession : public UnitDispatcher {
 public:
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // What a worker rank sends back after each unit (its rows, as JSON text), and what rank 0
  // does with what it receives. Set before run().
  std::function<std::string()> take_results;
  std::function<void(const std::string&)> deliver_results;
  // Every rank calls this once, when its setup (opening and planning the inputs) ends, with
  // whether it succeeded. Returns -1 when every rank succeeded, else the lowest failed rank.
  virtual int agree_setup(bool ok) = 0;
  virtual bool agreed() const = 0;
  // What this rank is computing ("layer NAME of MODEL"): named in the message a worker rank
  // prints if a signal ends it, and in the error rank 0 reports when a unit fails there.
  virtual void set_current(const std::string& what) = 0;
  // Ends every rank at once with this exit status (after an error past the setup).
  virtual void abort(int status) = 0;  // does not return
};

// The session when this process was started by mpirun with more than one rank (and the build
// has MPI); else null. The first call initialises MPI.
MpiSession* mpi_session();
// Called at exit: MPI_Finalize when MPI was initialised.
void mpi_finish();

}  // namespace setol::cli
