// SPDX-License-Identifier: MIT
#pragma once

#include "process/cancel.hpp"
#include "util/result.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::process {

enum class Stream { Stdout, Stderr };

/// Receives each line of output (without its newline) as it is produced.
/// Called on the thread that runs the process.
using LineHandler = std::function<void(Stream, std::string_view line)>;

struct Spec {
  std::vector<std::string> argv;                 ///< argv[0] is looked up in PATH
  std::optional<std::string> cwd;                ///< default: current directory
  std::map<std::string, std::string> env;        ///< added to the inherited environment
  std::optional<std::string> stdin_text;         ///< default: /dev/null
  /// The child's stdin is a dup of this fd, which the caller keeps owning
  /// (and whose other end it keeps close-on-exec). Excludes stdin_text.
  std::optional<int> stdin_fd;
  std::chrono::milliseconds timeout{0};          ///< 0 = none
};

enum class Ending {
  Exited,    ///< ran to the end; see exit_status
  TimedOut,  ///< killed because the timeout expired
  Cancelled, ///< killed because the token was cancelled
};

struct Outcome {
  Ending ending = Ending::Exited;
  int exit_status = -1; ///< exit code, or 128 + signal; -1 unless Exited
};

/// From now on, processes being stopped get SIGKILL at once instead of a
/// grace period after SIGTERM (a second Ctrl-C). Async-signal-safe.
void hurry() noexcept;

/// Runs a process in its own process group, streams its output line by line,
/// and makes sure nothing it started outlives it: when it exits, or when it
/// is stopped (timeout, cancellation), every process left in its group is
/// killed (SIGTERM, then SIGKILL after `kill_grace`). Returns an Error when
/// the process could not be started (the message names argv[0] and why).
Result<Outcome> run(const Spec& spec, const LineHandler& on_line, const CancelToken* cancel,
                    std::chrono::milliseconds kill_grace = std::chrono::milliseconds(2000));

} // namespace offload::process
