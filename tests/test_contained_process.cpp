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

// Serves "echo" requests; "abort" crashes the child, "hang" never answers, "error" throws.
std::string serve(const std::string& request) {
  if (request == "abort") std::abort();
  if (request == "hang")
    for (;;) pause();
  if (request == "error") throw InputError(kFile, "dataset /w is damaged");
  if (request == "alloc") return std::string(std::size_t{4} << 30, 'x');  // 4 GiB
  return request;
}

std::string call(ContainedProcess& p, const std::string& request, std::size_t size, std::chrono::seconds timeout = 20s) {
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

// The child's address space is limited (not under AddressSanitizer, whose shadow memory is
// address space): an allocation beyond it is an error reply, not an out-of-memory kill.
TEST(ContainedProcess, MemoryBeyondTheLimitIsAnError) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "no address-space limit under AddressSanitizer";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "no address-space limit under AddressSanitizer";
#endif
#endif
  ContainedProcess p(kFile, "testlib", [] { return std::string("listing"); }, serve, std::size_t{256} << 20);
  p.start_reply(100, 20s);
  // The request declares 4 bytes, so the limit stays 256 MiB + 8 bytes: 4 GiB cannot be had.
  EXPECT_EQ(message_of([&] { call(p, "alloc", 4); }), kFile + ": out of memory");
}
