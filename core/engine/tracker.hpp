// SPDX-License-Identifier: MIT
#pragma once

#include "model/test_model.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace offload::engine {

/// What the run should do after an attempt was recorded.
enum class NextStep {
  Settled, ///< the test has its final verdict
  Retry,   ///< run it again (front of the queue, another sandbox if possible)
  Wait,    ///< other instances are still out (static mode)
};

/// Turns attempts into verdicts. Pure bookkeeping, no threads: any pass is a
/// pass, a pass after a failure is flaky, a test fails once its retries are
/// used up, and every test ends with exactly one verdict.
class Tracker {
public:
  /// `attempts_allowed[i]` = retry_count + 1 of test i's group.
  /// `upfront` (static mode): all attempts were scheduled at once, so a
  /// failure waits for the others instead of asking for a retry.
  Tracker(std::vector<TestCase> tests, std::vector<std::size_t> attempts_allowed, bool upfront,
          std::size_t max_infrastructure_retries = 3);

  /// Records a test's attempt (passed, failed, skipped, timed out, crashed).
  /// Attempts on a settled test are kept for the report but change nothing.
  NextStep record(std::size_t test, Attempt attempt);
  /// Records a failure of the sandbox, not of the test: it does not use up
  /// the test's retries, but after `max_infrastructure_retries` the test is
  /// settled as not run with `attempt.message` as the reason.
  NextStep infrastructure(std::size_t test, Attempt attempt);
  /// Settles a test that will not run, with the reason.
  void not_run(std::size_t test, const std::string& reason);
  /// Tests discovered after the tracker was built, numbered from size() on.
  void add(TestCase test, std::size_t attempts_allowed);
  /// A test discovery no longer lists: it needs no verdict, and attempts
  /// recorded for it change nothing.
  void withdraw(std::size_t test);

  /// True for settled and withdrawn tests.
  bool settled(std::size_t test) const { return m_state[test].settled; }
  bool withdrawn(std::size_t test) const { return m_state[test].withdrawn; }
  /// Tests that need a verdict: all but the withdrawn.
  std::size_t live() const { return m_records.size() - m_withdrawn; }
  bool all_settled() const { return m_counts.settled() + m_withdrawn == m_records.size(); }
  const Counts& counts() const { return m_counts; }
  const TestRecord& record_of(std::size_t test) const { return m_records[test]; }
  std::size_t size() const { return m_records.size(); }
  /// Failed attempts so far (for the "retry N of M" messages).
  std::size_t failures(std::size_t test) const { return m_state[test].failures; }

  /// The records, every one settled (unsettled ones become not run).
  std::vector<TestRecord> finish(const std::string& unsettled_reason);

private:
  struct State {
    std::size_t failures = 0;
    std::size_t infrastructure = 0;
    std::size_t outstanding = 0; ///< upfront mode: instances not yet back
    bool passed = false;
    bool settled = false;
    bool withdrawn = false;
  };
  void settle(std::size_t test, Verdict v);
  void count(Verdict v, int delta);

  std::vector<TestRecord> m_records;
  std::vector<State> m_state;
  std::vector<std::size_t> m_allowed;
  bool m_upfront;
  std::size_t m_max_infra;
  Counts m_counts;
  std::size_t m_withdrawn = 0;
};

} // namespace offload::engine
