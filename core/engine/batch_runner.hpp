// SPDX-License-Identifier: MIT
#pragma once

#include "model/test_model.hpp"
#include "engine/scheduler.hpp"
#include "plugin/instance.hpp"
#include "report/batch_log.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace offload::engine {

/// Everything one batch came to, before any verdict is decided.
struct BatchReport {
  enum class Ending {
    Ran,            ///< the command ran to its end; see results/missing
    TimedOut,       ///< killed by test_timeout_secs
    Cancelled,      ///< stopped by the host
    Infrastructure, ///< the sandbox failed to run it or to hand back results
  };
  Ending ending = Ending::Ran;
  int exit_status = -1;
  /// No result file: the exit status itself was the verdict of the one test.
  bool exit_is_verdict = false;
  std::string problem; ///< why, for TimedOut / Infrastructure / missing results
  std::vector<std::pair<std::size_t, Attempt>> results; ///< by test index
  std::vector<std::size_t> missing; ///< tests of the batch with no result
  std::vector<StrayResult> strays;
  double wall_secs = 0.0;
};

struct BatchContext {
  const plugin::Framework* framework = nullptr;
  std::filesystem::path results_dir; ///< where result files are downloaded to
  double timeout_secs = 900.0;
  bool fail_fast = false;
};

/// Runs `batch` in `sandbox`: builds the framework's command, runs it with
/// the batch timeout, streams its output to `log`, downloads and reads its
/// result file, and maps each result to a test of the batch. `ids[i]` is the
/// ID of `batch.tests[i]`: a copy, so the run's test list may grow meanwhile.
/// `on_line` sees every output line besides the log; it may be empty.
BatchReport run_batch(const BatchContext& ctx, const plugin::Sandbox& sandbox, const Batch& batch,
                      const std::vector<std::string>& ids, report::BatchLog& log,
                      const process::LineHandler& on_line, const process::CancelToken& cancel);

} // namespace offload::engine
