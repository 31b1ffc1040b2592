// SPDX-License-Identifier: MIT
#pragma once

#include "process/cancel.hpp"

#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace offload::cli {

/// While alive, every signal that would end offload (SIGINT, SIGTERM,
/// SIGHUP, SIGPIPE) cancels `token` (and the first calls `on_first`)
/// instead, so sandboxes are torn down and the partial report is written. A
/// second signal only cuts the grace period of the processes being stopped
/// (process::hurry); cleanup still runs. offload is also made a child
/// subreaper, so a test's descendant that left its process group (setsid)
/// is reparented to offload instead of init, and the guard kills whatever of
/// them is left when it goes away. Create it before any other thread starts:
/// the signals are blocked process-wide and taken by one thread; they stay
/// blocked after it, so a signal after the cleanup cannot change the exit
/// status (offload exits right after the run).
class InterruptGuard {
public:
  InterruptGuard(process::CancelToken token, std::function<void()> on_first);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
  std::thread m_thread;
};

/// Kills and reaps every child process offload still has (with the
/// subreaper, the orphans of its tests), waiting at most about `secs`.
/// Returns the command lines of those it killed.
std::vector<std::string> kill_leftover_children(double secs);

} // namespace offload::cli
