#include "io/contained_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <vector>

#include "setol/error.hpp"

// Defined by the sanitizer runtimes (AddressSanitizer, UBSan) when one is linked in; else null.
extern "C" __attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)(void));

namespace setol::io {
namespace {

constexpr std::uint8_t kReply = 0, kError = 1;
std::atomic<std::size_t> children_started{0};
std::atomic<std::size_t> children_exited{0};
constexpr std::size_t kMaxError = 1 << 16, kMaxRequest = 1 << 20;

bool send_all(int fd, const void* p, std::size_t n) {
  const char* c = static_cast<const char*>(p);
  while (n > 0) {
    const ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    c += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

// Child side: blocking read of exactly n bytes; false at the end of the stream.
bool recv_all(int fd, void* p, std::size_t n) {
  char* c = static_cast<char*>(p);
  while (n > 0) {
    const ssize_t k = recv(fd, c, n, 0);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    c += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

// A deadline in seconds for messages: "120", "0.25".
std::string seconds_text(std::chrono::milliseconds ms) {
  std::string text = std::to_string(ms.count() / 1000);
  if (const auto frac = ms.count() % 1000; frac != 0) {
    std::string digits = std::to_string(1000 + frac).substr(1);  // three digits, leading zeros kept
    while (digits.back() == '0') digits.pop_back();
    text += "." + digits;
  }
  return text;
}

// When a wait of `timeout` from now ends. steady_clock counts nanoseconds in 64 bits, so now +
// an allowance past about 292 years overflows, and an allowance can be that long: a dataset a
// damaged file declares at exabytes adds 10 s per GiB (hdf5_reader.cpp). Waits are capped at
// 10^7 s (about 115 days, SETOL_HDF5_TIMEOUT's largest value); messages name the allowance given.
std::chrono::steady_clock::time_point after(std::chrono::milliseconds timeout) {
  constexpr std::chrono::milliseconds kLongestWait{std::int64_t{10'000'000} * 1000};
  return std::chrono::steady_clock::now() + std::min(timeout, kLongestWait);
}

// ---- the child ----

std::size_t address_space_now() {
  std::ifstream in("/proc/self/statm");
  std::size_t pages = 0;
  in >> pages;
  return pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// The soft address-space limit: what the child has now plus `extra` (the hard limit stays, so
// it can be raised for a larger request). An allocation beyond it fails at once (malloc returns
// null) before a page is touched. Under AddressSanitizer the shadow memory is reserved before
// the child starts, so it lies in `base` and the limit holds there too.
void limit_address_space(std::size_t base, std::size_t extra) {
  rlimit r{};
  if (extra == 0 || getrlimit(RLIMIT_AS, &r) != 0) return;
  const rlim_t want = static_cast<rlim_t>(base) + static_cast<rlim_t>(extra);
  if (want < base || (r.rlim_max != RLIM_INFINITY && want > r.rlim_max)) return;
  r.rlim_cur = want;
  setrlimit(RLIMIT_AS, &r);
}

// The child is a copy of the parent, handlers included. None of them may run here: setol's
// interrupt handler (cli/interrupt.cpp) removes the parent's pending outputs, and a fuzzer's or
// a sanitizer's crash handler would report the library's crash as the parent's and write the
// parent's crash files. A crash of the library ends the child at once, by its signal, and the
// parent reports it.
void drop_inherited_handlers() {
  for (const int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGINT, SIGTERM})
    signal(sig, SIG_DFL);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
}

void send_frame(int fd, std::uint8_t status, const std::string& payload) {
  char head[9];
  head[0] = static_cast<char>(status);
  const std::uint64_t n = payload.size();
  std::memcpy(head + 1, &n, 8);
  if (!send_all(fd, head, 9) || !send_all(fd, payload.data(), payload.size())) _exit(0);
}

template <class F>
void answer(int fd, F&& work) {
  try {
    send_frame(fd, kReply, work());
  } catch (const InputError& e) {
    send_frame(fd, kError, e.problem().substr(0, kMaxError));
  } catch (const std::bad_alloc&) {
    send_frame(fd, kError, "out of memory");
  } catch (const std::exception& e) {
    send_frame(fd, kError, std::string(e.what()).substr(0, kMaxError));
  }
}

// A request: [u64 memory it may need][u64 length][bytes].
[[noreturn]] void child_main(int fd, const ContainedProcess::Start& start, const ContainedProcess::Serve& serve,
                             std::size_t memory_limit) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the run
  drop_inherited_handlers();
  signal(SIGPIPE, SIG_IGN);
  // What a crashing library prints (glibc's heap-corruption aborts, a sanitizer's report) would
  // break the one-line rule: the parent reports the crash. SETOL_CONTAINED_STDERR=1 keeps it.
  if (const char* keep = std::getenv("SETOL_CONTAINED_STDERR"); !keep || std::string(keep) != "1") {
    const int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) dup2(null, STDERR_FILENO);
  }
  const std::size_t base = address_space_now();
  limit_address_space(base, memory_limit);
  answer(fd, start);
  for (;;) {
    std::uint64_t head[2];
    if (!recv_all(fd, head, sizeof head) || head[1] > kMaxRequest) _exit(0);
    std::string request(head[1], '\0');
    if (!recv_all(fd, request.data(), request.size())) _exit(0);
    if (memory_limit > 0) limit_address_space(base, memory_limit + 2 * head[0]);
    answer(fd, [&] { return serve(request); });
  }
}

}  // namespace

// ---- the parent ----

ContainedProcess::ContainedProcess(std::string path, std::string library, const Start& start, const Serve& serve,
                                   std::size_t memory_limit, std::string timeout_hint)
    : path_(std::move(path)), library_(std::move(library)), timeout_hint_(std::move(timeout_hint)) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw InputError(path_, "cannot start the " + library_ + " reader process: " + std::strerror(errno));
  pid_ = fork();
  if (pid_ < 0) {
    const int e = errno;
    close(sv[0]);
    close(sv[1]);
    throw InputError(path_, "cannot start the " + library_ + " reader process: " + std::strerror(e));
  }
  if (pid_ == 0) {
    close(sv[0]);
    try {
      child_main(sv[1], start, serve, memory_limit);
    } catch (...) {
    }
    _exit(3);
  }
  close(sv[1]);
  fd_ = sv[0];
  ++children_started;
}

std::size_t ContainedProcess::started() { return children_started; }

std::size_t ContainedProcess::exited() { return children_exited; }

ContainedProcess::~ContainedProcess() { stop(); }

void ContainedProcess::stop() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

void ContainedProcess::fail(const std::string& what, const std::string& problem) {
  dead_ = problem + " (" + what + ")";
  stop();
  throw InputError(path_, dead_);
}

void ContainedProcess::child_died(const std::string& what) {
  int status = 0;
  pid_t r;
  while ((r = waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  std::string why = library_ + " failed";
  if (r > 0 && WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    why = sig == SIGKILL ? library_ + " was killed (out of memory?)"
                         : library_ + " crashed (signal " + std::to_string(sig) + ", " + strsignal(sig) + ")";
  } else if (r > 0 && WIFEXITED(status)) {
    ++children_exited;
    why = library_ + " ended (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
  }
  fail(what, why + " while reading; the file is damaged");
}

void ContainedProcess::read_exact(void* out, std::size_t n, const std::string& what, const Deadline& deadline) {
  char* c = static_cast<char*>(out);
  while (n > 0) {
    // Rounded up: 0.9 ms left is a wait of 1 ms, not an end 0.9 ms before the deadline.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline.at - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      fail(what, library_ + " did not finish within " + seconds_text(deadline.allowed) +
                     " s (a damaged file that loops?" + timeout_hint_ + ")");
    pollfd p{fd_, POLLIN, 0};
    const int k = poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1 << 30)));
    if (k < 0 && errno == EINTR) continue;
    if (k == 0) continue;  // the deadline check above ends the wait
    const ssize_t got = recv(fd_, c, n, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) child_died(what);
    c += got;
    n -= static_cast<std::size_t>(got);
  }
}

std::uint64_t ContainedProcess::read_header(const std::string& what, const Deadline& deadline) {
  char head[9];
  read_exact(head, 9, what, deadline);
  std::uint64_t n;
  std::memcpy(&n, head + 1, 8);
  if (head[0] == kError) {
    if (n > kMaxError) fail(what, library_ + " reader process sent a malformed reply");
    std::string message(n, '\0');
    read_exact(message.data(), n, what, deadline);
    throw InputError(path_, message);
  }
  if (head[0] != kReply) fail(what, library_ + " reader process sent a malformed reply");
  return n;
}

std::string ContainedProcess::read_reply(std::size_t max_bytes, const std::string& what, const Deadline& deadline) {
  const std::uint64_t n = read_header(what, deadline);
  if (n > max_bytes) fail(what, what + " is larger than " + std::to_string(max_bytes) + " bytes");
  std::string out(n, '\0');
  read_exact(out.data(), n, what, deadline);
  return out;
}

void ContainedProcess::send_request(const std::string& request, std::uint64_t memory, const std::string& what) {
  if (!dead_.empty()) throw InputError(path_, "not read: " + dead_);
  const std::uint64_t head[2] = {memory, request.size()};
  if (!send_all(fd_, head, sizeof head) || !send_all(fd_, request.data(), request.size())) child_died(what);
}

std::string ContainedProcess::start_reply(std::size_t max_bytes, std::chrono::milliseconds timeout) {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (!dead_.empty()) throw InputError(path_, dead_);
  return read_reply(max_bytes, "the list of tensors", {after(timeout), timeout});
}

std::string ContainedProcess::ask(const std::string& request, std::size_t max_bytes, const std::string& what,
                                  std::chrono::milliseconds timeout) {
  const std::lock_guard<std::mutex> lock(mutex_);
  send_request(request, 0, what);
  return read_reply(max_bytes, what, {after(timeout), timeout});
}

bool ContainedProcess::alive() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return dead_.empty() && pid_ > 0;
}

void ContainedProcess::call(const std::string& request, std::size_t size, const std::function<std::byte*()>& out,
                            const std::string& what, std::chrono::milliseconds timeout) {
  const std::lock_guard<std::mutex> lock(mutex_);
  send_request(request, size, what);
  const Deadline deadline{after(timeout), timeout};
  const std::uint64_t n = read_header(what, deadline);
  if (n != size)
    fail(what, library_ + " returned " + std::to_string(n) + " bytes, not the " + std::to_string(size) + " expected");
  std::byte* dst = nullptr;
  try {
    dst = out();
  } catch (...) {  // e.g. no memory for the buffer: the reply is read and dropped, the child stays
    std::vector<char> sink(std::min<std::size_t>(size, std::size_t{1} << 20));
    for (std::size_t left = size; left > 0;) {
      const std::size_t k = std::min(left, sink.size());
      read_exact(sink.data(), k, what, deadline);
      left -= k;
    }
    throw;
  }
  read_exact(dst, size, what, deadline);
}

}  // namespace setol::io
