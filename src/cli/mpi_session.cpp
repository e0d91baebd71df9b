// MPI (OpenMPI) dispatch: rank 0 keeps the list of units, largest first, and gives the next
// one to whichever rank asks, itself included (a thread of rank 0 computes too); a worker's
// request carries the rows of the unit it has just finished. Only rank 0's main thread calls
// MPI (MPI_THREAD_FUNNELED), polling with MPI_Iprobe and a short sleep so that it does not
// take the core from rank 0's own worker.
#include "cli/mpi_session.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <unistd.h>
#include <vector>

#include "setol/error.hpp"

namespace setol::cli {
namespace {

enum Tag : int { kRequest = 1, kWork = 2, kFailed = 3 };
constexpr long long kStop = -1;

// What a worker rank prints if a signal ends it inside a unit (async-signal-safe: a buffer
// written before the unit starts).
char crash_note[512];
extern "C" void on_crash(int sig) {
  if (crash_note[0]) {
    (void)!::write(STDERR_FILENO, crash_note, std::strlen(crash_note));
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

class OpenMpiSession final : public MpiSession {
 public:
  OpenMpiSession(int rank, int size) : rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  int agree_setup(bool ok) override {
    agreed_ = true;
    int mine = ok ? size_ : rank_, lowest = size_;
    MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return lowest == size_ ? -1 : lowest;
  }
  bool agreed() const override { return agreed_; }
  void set_current(const std::string& what) override {
    if (rank_ == 0) return;  // rank 0's own failures are its exceptions
    std::snprintf(crash_note, sizeof crash_note, "setol: error: rank %d ended by a signal while computing %s\n", rank_,
                  what.c_str());
    current_ = what;
  }
  void abort(int status) override {
    MPI_Abort(MPI_COMM_WORLD, status);
    std::_Exit(status);
  }

  void run(const std::vector<double>& costs, const std::function<void(std::size_t)>& run_unit) override {
    if (rank_ == 0) serve(costs, run_unit);
    else work(run_unit);
  }

 private:
  // Rank 0: a local worker thread and the MPI service loop.
  void serve(const std::vector<double>& costs, const std::function<void(std::size_t)>& run_unit) {
    std::vector<std::size_t> order(costs.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
    std::mutex m;
    std::size_t next = 0;
    bool stop = false;
    auto take = [&]() -> long long {
      const std::lock_guard<std::mutex> lock(m);
      if (stop || next >= order.size()) return kStop;
      return static_cast<long long>(order[next++]);
    };
    std::exception_ptr local_failure;
    std::thread local([&] {
      try {
        for (long long u; (u = take()) != kStop;) run_unit(static_cast<std::size_t>(u));
      } catch (...) {
        local_failure = std::current_exception();
        const std::lock_guard<std::mutex> lock(m);
        stop = true;
      }
    });
    std::string failure;
    int active = size_ - 1;
    while (active > 0) {
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
      if (!flag) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      int bytes = 0;
      MPI_Get_count(&st, MPI_CHAR, &bytes);
      std::string payload(static_cast<std::size_t>(bytes), '\0');
      MPI_Recv(payload.data(), bytes, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      const int src = st.MPI_SOURCE;
      if (st.MPI_TAG == kFailed) {
        if (failure.empty()) failure = "rank " + std::to_string(src) + " failed on " + payload;
        const std::lock_guard<std::mutex> lock(m);
        stop = true;
      } else if (!payload.empty() && deliver_results) {
        deliver_results(payload);
      }
      const long long u = st.MPI_TAG == kFailed ? kStop : take();
      MPI_Send(&u, 1, MPI_LONG_LONG, st.MPI_SOURCE, kWork, MPI_COMM_WORLD);
      if (u == kStop) --active;
    }
    local.join();
    if (local_failure) std::rethrow_exception(local_failure);
    if (!failure.empty()) throw std::runtime_error(failure);
  }

  // Other ranks: ask, compute, send the rows back with the next request.
  void work(const std::function<void(std::size_t)>& run_unit) {
    std::string results;
    for (;;) {
      MPI_Send(results.data(), static_cast<int>(results.size()), MPI_CHAR, 0, kRequest, MPI_COMM_WORLD);
      long long u = kStop;
      MPI_Recv(&u, 1, MPI_LONG_LONG, 0, kWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (u == kStop) return;
      try {
        run_unit(static_cast<std::size_t>(u));
      } catch (const std::exception& e) {
        // Rank 0 reports it (and stops handing out work); this rank just leaves the protocol.
        const std::string what = current_ + ": " + e.what();
        MPI_Send(what.data(), static_cast<int>(what.size()), MPI_CHAR, 0, kFailed, MPI_COMM_WORLD);
        MPI_Recv(&u, 1, MPI_LONG_LONG, 0, kWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        return;
      }
      crash_note[0] = '\0';
      results = take_results ? take_results() : std::string();
    }
  }

  int rank_, size_;
  bool agreed_ = false;
  std::string current_;
};

bool started_by_mpirun() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(v)) return true;
  return false;
}

bool initialised = false;

}  // namespace

MpiSession* mpi_session() {
  static OpenMpiSession* session = [] () -> OpenMpiSession* {
    if (!started_by_mpirun()) return nullptr;
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    initialised = true;
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size < 2) return nullptr;
    if (rank != 0) {
      std::signal(SIGSEGV, on_crash);
      std::signal(SIGBUS, on_crash);
      std::signal(SIGABRT, on_crash);
      std::signal(SIGFPE, on_crash);
    }
    return new OpenMpiSession(rank, size);
  }();
  return session;
}

void mpi_finish() {
  if (initialised) MPI_Finalize();
  initialised = false;
}

}  // namespace setol::cli
