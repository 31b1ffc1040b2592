// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

/// The vocabulary every area shares: tests, attempts, verdicts. It lives
/// in the root namespace, below engine and report, so neither needs the other.
namespace offload {

/// A test as discovered: its canonical ID and the group that selected it.
struct TestCase {
  std::string id;
  std::size_t group = 0; ///< index into Config::groups
  std::optional<std::string> file;
  /// How the framework's own JUnit names the test (its place in the test
  /// tree); empty when the framework did not say: the report then uses the
  /// group and the ID.
  std::string classname;
  std::string name;
};

/// What one run of one test came to.
enum class AttemptResult {
  Passed,
  Failed,         ///< the test reported a failure or an error
  Skipped,
  TimedOut,       ///< killed by test_timeout_secs
  Crashed,        ///< the runner ended without a result for this test
  Infrastructure, ///< the sandbox could not create, exec or download
  Cancelled,      ///< stopped by Ctrl-C, fail-fast or a faster duplicate
};

const char* to_string(AttemptResult r);

struct Attempt {
  AttemptResult result = AttemptResult::Failed;
  double duration_secs = 0.0;
  std::string message;    ///< short reason (failure message attribute)
  std::string details;    ///< long reason (failure text, stack trace)
  std::string system_out; ///< the test's own stdout, when the runner reported it
  std::string system_err;
  /// A Failed result the runner reported as an <error> (pytest: the test's
  /// set-up or tear-down failed), not as a <failure> of the test itself.
  bool error = false;
  std::size_t batch = 0;  ///< which batch ran it (logs/batch-N.*)
  std::string sandbox;    ///< which sandbox ran it
};

/// The one final verdict each discovered test ends with.
enum class Verdict {
  Passed,
  Failed, ///< every attempt failed; see the last attempt for how
  Flaky,  ///< failed, then passed on a retry
  Skipped,
  NotRun, ///< never produced a result; see not_run_reason
};

const char* to_string(Verdict v);

/// Tallies of verdicts, for progress and summaries.
struct Counts {
  std::size_t passed = 0, failed = 0, flaky = 0, skipped = 0, not_run = 0;
  std::size_t settled() const { return passed + failed + flaky + skipped + not_run; }
};

struct TestRecord {
  TestCase test;
  std::vector<Attempt> attempts; ///< in the order they finished
  Verdict verdict = Verdict::NotRun;
  std::string not_run_reason;
};

/// A result the runner reported that matches no discovered test; kept so it
/// is reported, not dropped.
struct StrayResult {
  std::string name;
  std::string classname;
  std::size_t batch = 0;
  Attempt attempt;
};

} // namespace offload
