#include "cli/interrupt.hpp"

#include <unistd.h>

#include <csignal>

#include "setol/report.hpp"

namespace setol::cli {
namespace {

extern "C" void on_signal(int sig) {
  // Only async-signal-safe calls: unlink() and _exit(). Worker threads may be inside an
  // eigensolver; nothing they hold needs to be released before the process ends.
  remove_pending_outputs();
  ::_exit(128 + sig);
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace setol::cli
