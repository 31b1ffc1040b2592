// SPDX-License-Identifier: MIT
#pragma once

#include "config/config.hpp"
#include "engine/history.hpp"
#include "engine/model.hpp"
#include "engine/scheduler.hpp"
#include "plugin/instance.hpp"
#include "process/cancel.hpp"
#include "report/console.hpp"
#include "report/timeline.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace offload::engine {

struct RunOptions {
  std::size_t sandboxes = 1;
  double timeout_secs = 900.0;
  bool fail_fast = false;
  SchedulePolicy policy = SchedulePolicy::Dynamic;
  bool hedge = true;
  std::filesystem::path output_dir; ///< logs/ and results/ go here
  std::map<std::string, std::string> env;
  std::optional<std::string> project_root;
  std::optional<std::string> image_id;
  std::string run_id;
};

struct RunOutcome {
  std::vector<TestRecord> records; ///< one per discovered test, each with its verdict
  std::vector<StrayResult> strays;
  std::vector<report::BatchSpan> batches;
  std::vector<report::PhaseSpan> phases;
  std::size_t sandboxes = 0;
  double wall_secs = 0.0;
  bool interrupted = false;
  /// How many tests ran with a duration from history (for the log).
  std::size_t estimated_from_history = 0;
  /// Tests started before discovery answered, and how many of them it no
  /// longer listed.
  std::size_t started_early = 0;
  std::size_t withdrawn = 0;
  /// The batch start-up cost the run measured, for the next run.
  double batch_overhead_secs = 0.0;
};

/// Where a run's tests come from.
struct TestSource {
  /// Lists the tests; called once, on the orchestrating thread.
  std::function<Result<std::vector<TestCase>>()> discover;
  /// What discovery found last time with the same configuration (from the
  /// history), or empty. When given, sandboxes start on these tests while
  /// `discover` runs; its answer then decides: tests it no longer lists are
  /// dropped (their results ignored, batches of nothing else cancelled), new
  /// ones are queued, and no result counts before it answered.
  std::vector<TestCase> expected;
};

/// Runs the tests of `source` on sandboxes of `provider` until every test
/// has a verdict, the run is interrupted (`interrupt`), or --fail-fast stops
/// it. Sandboxes are created in parallel, each starting work as soon as it
/// is up, and are all destroyed before this returns. Fails only when
/// discovery fails; `records` follow discovery's order.
Result<RunOutcome> orchestrate(const plugin::Provider& provider, const plugin::Framework& framework,
                               TestSource source, const std::vector<config::Group>& groups,
                               const History& history, const RunOptions& options,
                               const process::CancelToken& interrupt, report::Console& console);

} // namespace offload::engine
