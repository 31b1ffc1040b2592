// SPDX-License-Identifier: MIT
#pragma once

#include "engine/batch_runner.hpp"
#include "model/observer.hpp"
#include "model/test_model.hpp"
#include "report/batch_log.hpp"
#include "util/result.hpp"

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace offload::engine {

/// A sandbox is up and waits for work.
struct SandboxReady {
  std::size_t slot = 0;
  double began_secs = 0.0; ///< when its creation started
};

/// A sandbox could not be created (after the retries its error deserved)
/// or its worker failed; the slot takes no more work.
struct SandboxLost {
  std::size_t slot = 0;
  Error error;
};

/// A batch ended, however it ended.
struct BatchDone {
  std::size_t slot = 0;
  Batch batch;
  BatchReport report;
  /// Its log, still open under its ".running" name: the loop names it by
  /// the outcome it judges. Null when nothing was logged.
  std::unique_ptr<report::BatchLog> log;
};

/// One line a batch printed (only posted when someone wants them, -v).
struct OutputLine {
  std::size_t slot = 0;
  std::size_t batch = 0;
  OutputStream stream = OutputStream::Stdout;
  std::string line;
};

/// Discovery answered, after the run had started on the last run's list.
struct DiscoveryDone {
  Result<std::vector<TestCase>> tests;
};

/// Ctrl-C, SIGTERM, SIGHUP: stop everything and report what finished.
struct Interrupted {};

/// Nothing happened for a while; a chance to look again (hedging, timeouts).
struct Tick {};

/// A slot's persistent worker collected its tests and takes requests.
struct WorkerReady {
  std::size_t slot = 0;
  std::vector<std::string> errors; ///< collection errors it reported
};

/// A worker began a test.
struct TestStarted {
  std::size_t slot = 0;
  std::string id;
};

/// A worker reported a test's result.
struct TestFinished {
  std::size_t slot = 0;
  std::string id;
  bool found = true; ///< false: the worker has no test by that ID
  Attempt attempt;
};

/// A slot's worker collected a file (worker discovery): its tests, in
/// collection order, or the error that kept it from collecting them.
struct FileCollected {
  std::size_t slot = 0;
  std::string file;
  std::vector<TestCase> tests; ///< group not set
  std::string error;
};

/// A slot's worker process ended (asked to, killed, or on its own).
struct WorkerEnded {
  std::size_t slot = 0;
  int exit_status = -1;
  bool killed = false;      ///< by kill_worker (a test's timeout) or Ctrl-C
  std::string problem;      ///< why it could not run or spoke nonsense, if it did
};

using Event = std::variant<SandboxReady, SandboxLost, BatchDone, OutputLine, DiscoveryDone, Interrupted, Tick,
                           WorkerReady, TestStarted, TestFinished, WorkerEnded, FileCollected>;

} // namespace offload::engine
