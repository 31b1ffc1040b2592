// SPDX-License-Identifier: MIT
#pragma once

#include "model/test_model.hpp"
#include "util/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace offload::engine::worker {

/// Every protocol line a worker prints starts with this (docs/worker-protocol.md).
inline constexpr std::string_view k_prefix = "@offload ";
inline constexpr int k_protocol = 1;

/// The worker collected what it can run.
struct Ready {
  int protocol = 0;
  std::vector<std::string> collected; ///< empty when the worker did not say
  std::vector<std::string> errors;    ///< collection errors, one line each
};

/// A test began; if the worker dies now, this test is the suspect.
struct Started {
  std::string id;
};

/// A test ended. `attempt.result` is Passed, Failed, Skipped; "not_found"
/// is `found = false` (the worker has no test by that ID).
struct Finished {
  std::string id;
  bool found = true;
  Attempt attempt;
};

/// The worker collected a file (at its start, for a test of it, or asked
/// to): its tests in collection order (`id`, `classname`, `name`; no
/// group), or why it has none.
struct Collected {
  std::string file;
  std::vector<TestCase> tests;
  std::string error; ///< the file could not be collected
};

using Message = std::variant<Ready, Started, Finished, Collected>;

/// nullopt for a line that is not a protocol line (the worker's own
/// output) or an event this host does not know (a later addition); an
/// Error for a protocol line that is malformed.
std::optional<Result<Message>> parse_line(std::string_view line);

/// The request that hands `ids` to a worker, one JSON line with its newline.
std::string run_request(const std::vector<std::string>& ids);
/// The request that asks a worker to collect `files` and report them.
std::string collect_request(const std::vector<std::string>& files);
/// The request that tells a worker nothing more comes.
std::string stop_request();

} // namespace offload::engine::worker
