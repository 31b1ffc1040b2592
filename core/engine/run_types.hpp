// SPDX-License-Identifier: MIT
#pragma once

#include "engine/scheduler.hpp"
#include "model/spans.hpp"
#include "model/test_model.hpp"

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
  /// Persistent workers instead of batches; only where uses_workers()
  /// says the framework, provider and policy allow them.
  bool workers = true;
  double per_test_timeout_secs = 300.0;
};

struct RunOutcome {
  std::vector<TestRecord> records; ///< one per discovered test, each with its verdict
  std::vector<StrayResult> strays;
  /// What failed the run although no test did (one line each).
  std::vector<std::string> problems;
  std::vector<BatchSpan> batches;
  std::vector<PhaseSpan> phases;
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

} // namespace offload::engine
