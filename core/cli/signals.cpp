// SPDX-License-Identifier: MIT
#include "cli/signals.hpp"

#include <csignal>
#include <pthread.h>
#include <unistd.h>

namespace offload::cli {
namespace {

// SIGUSR2 only wakes the signal thread when the guard goes away.
sigset_t guarded_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);
  return set;
}

} // namespace

InterruptGuard::InterruptGuard(process::CancelToken token, std::function<void()> on_first) {
  const sigset_t set = guarded_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  m_thread = std::thread([token, on_first = std::move(on_first)] {
    const sigset_t wait_set = guarded_signals();
    bool interrupted = false;
    while (true) {
      int sig = 0;
      if (sigwait(&wait_set, &sig) != 0 || sig == SIGUSR2) {
        return;
      }
      if (interrupted) {
        _exit(130);
      }
      interrupted = true;
      token.cancel();
      if (on_first) {
        on_first();
      }
    }
  });
}

InterruptGuard::~InterruptGuard() {
  pthread_kill(m_thread.native_handle(), SIGUSR2);
  m_thread.join();
  const sigset_t set = guarded_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

} // namespace offload::cli
