// SPDX-License-Identifier: MIT
#pragma once

#include "engine/batch_runner.hpp"
#include "engine/scheduler.hpp"
#include "model/spans.hpp"
#include "model/test_model.hpp"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace offload::engine {

/// One thing the run must do about one test after a batch.
struct Action {
  enum class Kind {
    Record,         ///< an attempt that says something about the test
    Infrastructure, ///< the sandbox failed; the test is not to blame
    Isolate,        ///< run it again alone (a timeout or a missing result in a batch)
    NotRun,         ///< settle it as not run, with `reason`
    Requeue,        ///< put it back untouched (its batch was cancelled)
  };
  Kind kind = Kind::Record;
  std::size_t test = 0;
  Attempt attempt;
  std::string reason;
};

/// What a batch came to, decided without touching any state.
struct Judgement {
  BatchOutcome outcome = BatchOutcome::Success;
  std::vector<Action> actions;
  std::vector<StrayResult> strays;
  /// Something about the batch that fails the run although no single test
  /// failed (a runner that exited non-zero while reporting only passes).
  std::optional<std::string> problem;
};

struct JudgeInput {
  /// Whether the result at `position` of the batch still counts: no copy
  /// answered for that test first and it has no verdict yet.
  std::function<bool(std::size_t position)> open;
  /// Put cancelled tests back (false when the run is stopping, or a copy
  /// of the batch still runs and will answer for them).
  bool requeue_cancelled = false;
  /// Exit statuses the framework documents as harmless when all passed.
  const std::set<int>* benign_exit_statuses = nullptr;
  std::string sandbox; ///< who ran it, for the attempts
};

/// Turns (batch, report) into actions: a pure function, so every rule of
/// retries, isolation and not-run reasons is tested without a run.
Judgement judge(const Batch& batch, const BatchReport& report, const JudgeInput& input);

} // namespace offload::engine
