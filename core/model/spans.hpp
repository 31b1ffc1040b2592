// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>

namespace offload {

/// How a batch ended; also the suffix of its log file.
enum class BatchOutcome { Success, Failure, Error, Cancelled };

const char* to_string(BatchOutcome o); ///< "success", "failure", "error", "cancelled"

/// One batch on one sandbox, in seconds since the run started.
struct BatchSpan {
  std::size_t batch = 0;
  std::size_t sandbox = 0; ///< index into the sandbox list
  double start_secs = 0.0;
  double end_secs = 0.0;
  BatchOutcome outcome = BatchOutcome::Success;
  std::size_t tests = 0;
};

/// Any other phase worth seeing: discovery, sandbox creation, downloads.
struct PhaseSpan {
  std::string name;
  /// -1 for the run itself (the "offload" track), else the sandbox index.
  long track = -1;
  double start_secs = 0.0;
  double end_secs = 0.0;
};

} // namespace offload
