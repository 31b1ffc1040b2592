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
  /// The batch start-up cost the run measured, for the next run.
  double batch_overhead_secs = 0.0;
};

/// Runs `tests` on sandboxes of `provider` until every test has a verdict,
/// the run is interrupted (`interrupt`), or --fail-fast stops it. Sandboxes
/// are created in parallel, each starting work as soon as it is up, and are
/// all destroyed before this returns.
RunOutcome orchestrate(const plugin::Provider& provider, const plugin::Framework& framework,
                       const std::vector<TestCase>& tests, const std::vector<config::Group>& groups,
                       const History& history, const RunOptions& options,
                       const process::CancelToken& interrupt, report::Console& console);

} // namespace offload::engine
