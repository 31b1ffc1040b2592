// SPDX-License-Identifier: MIT
#pragma once

#include "process/cancel.hpp"

#include <functional>
#include <thread>

namespace offload::cli {

/// While alive, SIGINT and SIGTERM cancel `token` (and call `on_first`)
/// instead of killing offload, so sandboxes are torn down and the partial
/// report is written. A second signal exits at once with 130. Create it
/// before any other thread starts: the signals are blocked process-wide
/// and taken by one thread.
class InterruptGuard {
public:
  InterruptGuard(process::CancelToken token, std::function<void()> on_first);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
  std::thread m_thread;
};

} // namespace offload::cli
