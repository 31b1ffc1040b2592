// SPDX-License-Identifier: MIT
#include "engine/tracker.hpp"

namespace offload::engine {

Tracker::Tracker(std::vector<TestCase> tests, std::vector<std::size_t> attempts_allowed, bool upfront,
                 std::size_t max_infrastructure_retries)
    : m_state(tests.size()), m_allowed(std::move(attempts_allowed)), m_upfront(upfront),
      m_max_infra(max_infrastructure_retries) {
  m_records.reserve(tests.size());
  for (auto& t : tests) {
    m_records.push_back(TestRecord{std::move(t), {}, Verdict::NotRun, {}});
  }
  for (std::size_t i = 0; i < m_state.size(); ++i) {
    m_allowed[i] = std::max<std::size_t>(1, m_allowed[i]);
    m_state[i].outstanding = m_upfront ? m_allowed[i] : 1;
  }
}

void Tracker::settle(std::size_t test, Verdict v) {
  State& s = m_state[test];
  if (s.settled) {
    return;
  }
  s.settled = true;
  m_records[test].verdict = v;
  switch (v) {
  case Verdict::Passed: ++m_counts.passed; break;
  case Verdict::Failed: ++m_counts.failed; break;
  case Verdict::Flaky: ++m_counts.flaky; break;
  case Verdict::Skipped: ++m_counts.skipped; break;
  case Verdict::NotRun: ++m_counts.not_run; break;
  }
}

NextStep Tracker::record(std::size_t test, Attempt attempt) {
  State& s = m_state[test];
  const AttemptResult result = attempt.result;
  m_records[test].attempts.push_back(std::move(attempt));
  if (s.outstanding > 0) {
    --s.outstanding;
  }
  if (s.settled) {
    return NextStep::Settled;
  }
  switch (result) {
  case AttemptResult::Passed:
    s.passed = true;
    settle(test, s.failures > 0 ? Verdict::Flaky : Verdict::Passed);
    return NextStep::Settled;
  case AttemptResult::Skipped:
    settle(test, Verdict::Skipped);
    return NextStep::Settled;
  case AttemptResult::Cancelled:
  case AttemptResult::Infrastructure:
    // Neither says anything about the test; the caller decides.
    return NextStep::Wait;
  default:
    break;
  }
  ++s.failures;
  if (s.failures >= m_allowed[test]) {
    settle(test, Verdict::Failed);
    return NextStep::Settled;
  }
  if (m_upfront) {
    return s.outstanding > 0 ? NextStep::Wait : (settle(test, Verdict::Failed), NextStep::Settled);
  }
  return NextStep::Retry;
}

NextStep Tracker::infrastructure(std::size_t test, Attempt attempt) {
  State& s = m_state[test];
  const std::string reason = attempt.message;
  m_records[test].attempts.push_back(std::move(attempt));
  if (s.settled) {
    return NextStep::Settled;
  }
  if (++s.infrastructure > m_max_infra) {
    not_run(test, "sandbox failures (" + std::to_string(s.infrastructure) + " attempts): " + reason);
    return NextStep::Settled;
  }
  return NextStep::Retry;
}

void Tracker::not_run(std::size_t test, const std::string& reason) {
  if (m_state[test].settled) {
    return;
  }
  // A test that already failed for real stays failed; "not run" would hide that.
  if (m_state[test].failures > 0) {
    settle(test, Verdict::Failed);
    return;
  }
  m_records[test].not_run_reason = reason;
  settle(test, Verdict::NotRun);
}

std::vector<TestRecord> Tracker::finish(const std::string& unsettled_reason) {
  for (std::size_t i = 0; i < m_records.size(); ++i) {
    not_run(i, unsettled_reason);
  }
  return std::move(m_records);
}

} // namespace offload::engine
