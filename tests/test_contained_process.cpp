// The contained child process that runs third-party parsers (io/contained_process.hpp): a
// crash, a hang, an error or a wrong-sized reply in the child is an InputError naming the file,
// and setol goes on.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "io/contained_process.hpp"
#include "setol/error.hpp"

using setol::InputError;
using setol::io::ContainedProcess;
using namespace std::chrono_literals;

namespace {

const std::string kFile = "model.h5";

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Serves "echo" requests; "abort" crashes the child, "exit" ends it as libFuzzer's malloc hook
// does, "hang" never answers, "error" throws.
std::string serve(const std::string& request) {
  if (request == "abort") std::abort();
  if (request == "exit") _exit(71);
  if (request == "hang")
    for (;;) pause();
  if (request == "error") throw InputError(kFile, "dataset /w is damaged");
  if (request == "alloc") return std::string(std::size_t{4} << 30, 'x');  // 4 GiB
  return request;
}

std::string call(ContainedProcess& p, const std::string& request, std::size_t size,
                 std::chrono::milliseconds timeout = 20s) {
  std::string out;
  p.call(
      request, size,
      [&] {
        out.resize(size);
        return reinterpret_cast<std::byte*>(out.data());
      },
      "dataset /w", timeout);
  return out;
}

}  // namespace

TEST(ContainedProcess, RepliesComeBackAndErrorsKeepTheChild) {
  ContainedProcess p(kFile, "testlib", [] { return std::string("listing"); }, serve, 0);
  EXPECT_EQ(p.start_reply(100, 20s), "listing");
  EXPECT_EQ(call(p, "abcd", 4), "abcd");
  const std::string e = message_of([&] { call(p, "error", 4); });
  EXPECT_EQ(e, kFile + ": dataset /w is damaged");
  EXPECT_EQ(call(p, "efgh", 4), "efgh");  // still serving
}

TEST(ContainedProcess, CrashInTheChildIsAnInputErrorAndLaterRequestsFail) {
  ContainedProcess p(kFile, "testlib", [] { return std::string("listing"); }, serve, 0);
  p.start_reply(100, 20s);
  const std::string e = message_of([&] { call(p, "abort", 5); });
  EXPECT_TRUE(contains(e, kFile + ": testlib crashed (signal 6")) << e;
  EXPECT_TRUE(contains(e, "the file is damaged (dataset /w)")) << e;
  const std::string later = message_of([&] { call(p, "abcd", 4); });
  EXPECT_TRUE(contains(later, "not read: testlib crashed")) << later;
}

// Only a child that exits is counted (the fuzz harnesses' sign of a libFuzzer handler run in it,
// finding 13 of docs/reliability.md); one that crashes is not.
TEST(ContainedProcess, ChildrenThatExitAreCountedApartFromCrashes) {
  const std::size_t before = ContainedProcess::exited();
  ContainedProcess crashing(kFile, "testlib", [] { return std::string("listing"); }, serve, 0);
  crashing.start_reply(100, 20s);
  message_of([&] { call(crashing, "abort", 5); });
  EXPECT_EQ(ContainedProcess::exited(), before);
  ContainedProcess exiting(kFile, "testlib", [] { return std::string("listing"); }, serve, 0);
  exiting.start_reply(100, 20s);
  const std::string e = message_of([&] { call(exiting, "exit", 4); });
  EXPECT_TRUE(contains(e, "testlib ended (exit status 71) while reading")) << e;
  EXPECT_EQ(ContainedProcess::exited(), before + 1);
}

TEST(ContainedProcess, CrashWhileStartingIsAnInputError) {
  ContainedProcess p(kFile, "testlib", []() -> std::string { std::abort(); }, serve, 0);
  const std::string e = message_of([&] { p.start_reply(100, 20s); });
  EXPECT_TRUE(contains(e, "testlib crashed (signal 6")) << e;
  EXPECT_TRUE(contains(e, "(the list of tensors)")) << e;
}

TEST(ContainedProcess, HangIsStoppedAtTheDeadline) {
  ContainedProcess p(kFile, "testlib", [] { return std::string("listing"); }, serve, 0, "; how to allow more");
  p.start_reply(100, 20s);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string e = message_of([&] { call(p, "hang", 4, 1s); });
  EXPECT_TRUE(contains(e, "testlib did not finish within 1 s (a damaged file that loops?; how to allow more)")) << e;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
}

// Deadlines are kept to the millisecond (SETOL_HDF5_TIMEOUT=0.25) and named so in the message.
TEST(ContainedProcess, SubSecondDeadlinesAreKeptAndNamed) {
  ContainedProcess p(kFile, "testlib", [] { return std::string("listing"); }, serve, 0);
  p.start_reply(100, 20s);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string e = message_of([&] { call(p, "hang", 4, 250ms); });
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(contains(e, "testlib did not finish within 0.25 s (a damaged file that loops?)")) << e;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 5s);
}

TEST(ContainedProcess, RepliesOfAnotherSizeAreRefused) {
  ContainedProcess p(kFile, "testlib", [] { return std::string(1000, 'x'); }, serve, 0);
  EXPECT_TRUE(contains(message_of([&] { p.start_reply(999, 20s); }), "larger than 999 bytes"));
  ContainedProcess q(kFile, "testlib", [] { return std::string("listing"); }, serve, 0);
  q.start_reply(100, 20s);
  std::string out;
  EXPECT_TRUE(contains(message_of([&] { out = call(q, "abc", 4); }), "testlib returned 3 bytes, not the 4 expected"));
  EXPECT_TRUE(out.empty());  // nothing allocated for a refused reply
}

// The parent allocates only once the child answers; if that allocation fails, the reply is
// dropped and the next request is answered normally.
TEST(ContainedProcess, FailedAllocationForAReplyKeepsTheStreamInStep) {
  ContainedProcess p(kFile, "testlib", [] { return std::string("listing"); }, serve, 0);
  p.start_reply(100, 20s);
  EXPECT_THROW(p.call("abcd", 4, []() -> std::byte* { throw std::bad_alloc(); }, "dataset /w", 20s), std::bad_alloc);
  EXPECT_EQ(call(p, "efgh", 4), "efgh");
}

static bool under_address_sanitizer() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return false;
}

// The child's address space is limited: an allocation beyond it is an error reply, not an
// out-of-memory kill, and it fails before a page is touched (under AddressSanitizer too).
TEST(ContainedProcess, MemoryBeyondTheLimitIsAnError) {
  ContainedProcess p(kFile, "testlib", [] { return std::string("listing"); }, serve, std::size_t{256} << 20);
  p.start_reply(100, 20s);
  // The request declares 4 bytes, so the limit stays 256 MiB + 8 bytes: 4 GiB cannot be had.
  const std::string e = message_of([&] { call(p, "alloc", 4); });
  if (!under_address_sanitizer()) {
    EXPECT_EQ(e, kFile + ": out of memory");
  } else {
    // AddressSanitizer's allocator returns null only with allocator_may_return_null=1; else it
    // reports the failed allocation and ends the child. Without the limit the 4 GiB would be
    // had and the reply refused as 4294967296 bytes.
    EXPECT_TRUE(e == kFile + ": out of memory" || contains(e, kFile + ": testlib crashed (signal 6") ||
                contains(e, kFile + ": testlib ended (exit status 1)"))
        << e;
  }
}

extern "C" [[noreturn]] void exit_42(int) { _exit(42); }
extern "C" [[noreturn]] void exit_43() { _exit(43); }
extern "C" __attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)(void));

// The child is a copy of the test process: handlers installed here (as setol installs its
// interrupt handler, and libFuzzer or a sanitizer their crash reports) must not run in it. A
// crash in the child ends it by its signal; a handler that ran would end it with status 42.
TEST(ContainedProcess, TheParentsHandlersDoNotRunInTheChild) {
  struct sigaction handler {}, before {};
  handler.sa_handler = exit_42;
  sigemptyset(&handler.sa_mask);
  ASSERT_EQ(sigaction(SIGABRT, &handler, &before), 0);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(exit_43);
  std::string crash, memory;
  {
    ContainedProcess p(kFile, "testlib", [] { return std::string("listing"); }, serve, 0);
    p.start_reply(100, 20s);
    crash = message_of([&] { call(p, "abort", 5); });
    // Under AddressSanitizer (without allocator_may_return_null) a failed allocation ends the
    // child through the sanitizer's death callback: it too must be the child's own.
    ContainedProcess q(kFile, "testlib", [] { return std::string("listing"); }, serve, std::size_t{256} << 20);
    q.start_reply(100, 20s);
    memory = message_of([&] { call(q, "alloc", 4); });
  }
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
  sigaction(SIGABRT, &before, nullptr);
  EXPECT_TRUE(contains(crash, kFile + ": testlib crashed (signal 6")) << crash;
  EXPECT_FALSE(contains(memory, "exit status 42") || contains(memory, "exit status 43")) << memory;
  EXPECT_TRUE(contains(memory, kFile + ": ")) << memory;
}

// An allowance of any length is a wait, not an overflow: a dataset a damaged file declares at
// exabytes is given 10 s per GiB, which as nanoseconds past now overflows steady_clock
// (finding 11: UBSan's signed overflow; without UBSan the deadline wrapped into the past).
TEST(ContainedProcess, AnAllowanceOfAnyLengthIsKept) {
  ContainedProcess p(kFile, "testlib", [] { return std::string("listing"); }, serve, 0);
  const auto longest = std::chrono::milliseconds::max();
  EXPECT_EQ(p.start_reply(100, longest), "listing");
  EXPECT_EQ(call(p, "abcd", 4, longest), "abcd");
  EXPECT_EQ(p.ask("efgh", 100, "dataset /w", std::chrono::seconds(std::int64_t{10} << 33)), "efgh");
}
