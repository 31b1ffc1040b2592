// SPDX-License-Identifier: MIT
#pragma once

#include "engine/events.hpp"
#include "plugin/instance.hpp"
#include "process/cancel.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace offload::engine {

struct WorkerRun {
  const plugin::Framework* framework = nullptr;
  const plugin::Sandbox* sandbox = nullptr;
  std::size_t slot = 0;
  std::vector<std::string> first; ///< what it will probably run first
  bool fail_fast = false;
  int stdin_fd = -1;              ///< read end of the socket the loop writes requests to
  std::filesystem::path log_path; ///< logs/worker-N-G (".running", then its outcome)
  bool forward_output = false;
  process::CancelToken cancel;
};

/// Runs one persistent worker in its sandbox on the calling thread until
/// it exits: protocol lines become events, every other line goes to its
/// log. Always ends with exactly one WorkerEnded.
void run_worker(const WorkerRun& run, const std::function<void(Event)>& post);

} // namespace offload::engine
