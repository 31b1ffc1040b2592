// SPDX-License-Identifier: MIT
#pragma once

#include "config/config.hpp"
#include "engine/history.hpp"
#include "engine/run_types.hpp"
#include "model/observer.hpp"
#include "plugin/instance.hpp"
#include "process/cancel.hpp"

#include <functional>
#include <vector>

namespace offload::engine {

/// Where a run's tests come from.
struct TestSource {
  /// Lists the tests; called once, on a thread of its own.
  std::function<Result<std::vector<TestCase>>()> discover;
  /// What discovery found last time with the same configuration (from the
  /// history), or empty. When given, sandboxes start on these tests while
  /// `discover` runs; its answer then decides: tests it no longer lists are
  /// dropped (their results ignored, batches of nothing else cancelled), new
  /// ones are queued, and no result counts before it answered.
  std::vector<TestCase> expected;
  /// `discover` may answer with files (see is_file_listing) whose tests the
  /// workers' collection lists: the run then starts on the files, or on
  /// `expected`, and each worker's report of a file settles its tests.
  bool worker_discovery = false;
};

/// Whether a run with `options` feeds persistent workers: the options ask
/// for them, the framework has one as configured, and the provider streams
/// a command's stdin. Otherwise it runs batches. orchestrate takes
/// `options.workers` as this answer.
bool uses_workers(const plugin::Provider& provider, const plugin::Framework& framework, const RunOptions& options);

/// Runs the tests of `source` on sandboxes of `provider` until every test
/// has a verdict, the run is interrupted (`interrupt`), or --fail-fast stops
/// it. Sandboxes are created in parallel, each starting work as soon as it
/// is up, and are all destroyed before this returns. Fails only when
/// discovery fails; `records` follow discovery's order.
Result<RunOutcome> orchestrate(const plugin::Provider& provider, const plugin::Framework& framework,
                               TestSource source, const std::vector<config::Group>& groups,
                               const History& history, const RunOptions& options,
                               const process::CancelToken& interrupt, RunObserver& observer);

} // namespace offload::engine
