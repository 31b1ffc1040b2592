// SPDX-License-Identifier: MIT
#pragma once

#include "config/config.hpp"
#include "engine/run_types.hpp"
#include "model/observer.hpp"
#include "plugin/instance.hpp"
#include "process/cancel.hpp"

#include <map>
#include <string>
#include <vector>

namespace offload::engine {

/// What a group, or the whole run, selecting no tests means.
enum class NoTests {
  Fail, ///< an error: a filter typo must not turn CI green (the default)
  Warn, ///< a warning, and the run goes on
  Pass, ///< nothing said
};

/// Everything `offload run` was asked for on its command line.
struct PipelineOptions {
  std::size_t sandboxes = 1;
  SchedulePolicy policy = SchedulePolicy::Dynamic;
  bool fail_fast = false;
  bool no_cache = false;
  bool trace = false;
  NoTests no_tests = NoTests::Fail;
  std::map<std::string, std::string> env; ///< --env, over the config's
  std::vector<std::string> copy_dirs;     ///< --copy-dir LOCAL:REMOTE
};

/// Discovers every group's tests and applies the no-tests rule.
/// `files_only`: a framework with worker discovery may list files instead
/// (a group with none selects nothing).
Result<std::vector<TestCase>> collect(const config::Config& config, const plugin::Framework& framework,
                                      NoTests no_tests, const process::CancelToken& cancel, bool files_only = false);

/// A whole `offload run`: the image build, discovery and (with a matching
/// history) the first batches overlap; then the run, then every report in
/// the output directory, the history for the next run and run-stats.json.
/// Until the run starts, an error leaves the output directory as it was.
Result<RunOutcome> run_pipeline(const config::Config& config, const plugin::Provider& provider,
                                const plugin::Framework& framework, const PipelineOptions& options,
                                const process::CancelToken& interrupt, RunObserver& observer);

/// How a finished run ends, for its exit status.
enum class RunVerdict { Passed, Flaky, Failed, Interrupted };

/// Failed: a test failed or did not run, a result matching no test failed,
/// or a batch went wrong although its tests passed (RunOutcome::problems).
RunVerdict overall(const RunOutcome& outcome);

} // namespace offload::engine
