// Runs a third-party parser (internal) in a child process, so that a crash, a hang or runaway
// memory inside a library we do not own (libhdf5 on a damaged file) ends in an InputError
// naming the file, never in the end of the run.
//
// The child is forked once, when the file is opened: readers are opened on the main thread
// before any layer is computed, so no other thread (a BLAS pool) is running at that moment.
// It answers requests over a socket until the reader is destroyed. A frame is
// [u8 status][u64 length][length bytes]; status 0 is a reply, 1 an error message. The parent
// checks every length against what it expects before reading, and the child's replies are
// data like the file itself: the reader validates them.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace setol::io {

class ContainedProcess {
 public:
  // Runs in the child. `start` answers once at startup (e.g. the list of tensors); `serve`
  // answers each request. Either may throw InputError: its problem comes back as the error.
  using Start = std::function<std::string()>;
  using Serve = std::function<std::string(const std::string& request)>;

  // path: the file, named in every error; library: the parser's name, for messages.
  // memory_limit: the child's address-space limit beyond what it has at start (0: none).
  // timeout_hint: appended to the message when a request runs out of time (how to allow more).
  ContainedProcess(std::string path, std::string library, const Start& start, const Serve& serve,
                   std::size_t memory_limit, std::string timeout_hint = "");
  ~ContainedProcess();
  ContainedProcess(const ContainedProcess&) = delete;
  ContainedProcess& operator=(const ContainedProcess&) = delete;

  // The start reply (at most max_bytes).
  std::string start_reply(std::size_t max_bytes, std::chrono::milliseconds timeout);
  // Sends a request whose reply has no size known in advance; the reply is at most max_bytes.
  std::string ask(const std::string& request, std::size_t max_bytes, const std::string& what,
                  std::chrono::milliseconds timeout);
  // Sends a request and reads a reply of exactly `size` bytes into the buffer `out()` returns.
  // `out` is called only once the child has answered with that size, so nothing is allocated
  // for a request the child refuses. `what` names the work in messages (e.g. "dataset /w").
  // Thread-safe: requests are served one at a time.
  void call(const std::string& request, std::size_t size, const std::function<std::byte*()>& out,
            const std::string& what, std::chrono::milliseconds timeout);
  // False once the child is gone (it crashed, ran out of time or sent a malformed reply): every
  // later request fails with the reason. An error the child answered with leaves it alive.
  bool alive();
  // How many children this process has started so far.
  static std::size_t started();
  // How many children ended by exiting, not by a signal, while a reply was awaited. setol's
  // child never does; a fuzz harness's child does when a libFuzzer handler it inherited ran
  // (its -malloc_limit_mb hook), so the harness reports it as a finding (tests/fuzz/README.md).
  static std::size_t exited();

 private:
  // When a request must be answered, and the allowance it was given (for the message).
  struct Deadline {
    std::chrono::steady_clock::time_point at;
    std::chrono::milliseconds allowed;
  };
  [[noreturn]] void fail(const std::string& what, const std::string& problem);
  [[noreturn]] void child_died(const std::string& what);
  void read_exact(void* out, std::size_t n, const std::string& what, const Deadline& deadline);
  // Reads a frame header; on an error frame throws its message; returns the reply length.
  std::uint64_t read_header(const std::string& what, const Deadline& deadline);
  // Reads a whole reply of at most max_bytes; `what` names it in the message if it is larger.
  std::string read_reply(std::size_t max_bytes, const std::string& what, const Deadline& deadline);
  void send_request(const std::string& request, std::uint64_t memory, const std::string& what);
  void stop();

  std::string path_, library_, timeout_hint_;
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string dead_;  // why the child is gone; later requests fail with it
  std::mutex mutex_;
};

}  // namespace setol::io
