// SPDX-License-Identifier: MIT
#include "engine/tracker.hpp"

namespace offload::engine {

Tracker::Tracker(std::vector<TestCase> tests, std::vector<std::size_t> attempts_allowed, bool upfront,
                 std::size_t max_infrastructure_retries)
    : m_upfront(upfront), m_max_infra(max_infrastructure_retries) {
  m_records.reserve(tests.size());
  m_state.reserve(tests.size());
  m_allowed.reserve(tests.size());
  for (std::size_t i = 0; i < tests.size(); ++i) {
    add(std::move(tests[i]), i < attempts_allowed.size() ? attempts_allowed[i] : 1);
  }
}

void Tracker::add(TestCase test, std::size_t attempts_allowed) {
  m_records.push_back(TestRecord{std::move(test), {}, Verdict::NotRun, {}});
  m_allowed.push_back(std::max<std::size_t>(1, attempts_allowed));
  State s;
  s.outstanding = m_upfront ? m_allowed.back() : 1;
  m_state.push_back(s);
}

void Tracker::withdraw(std::size_t test) {
  State& s = m_state[test];
  if (s.withdrawn) {
    return;
  }
  if (s.settled) {
    count(m_records[test].verdict, -1);
  }
  s.settled = s.withdrawn = true;
  ++m_withdrawn;
}

void Tracker::count(Verdict v, int delta) {
  std::size_t* counter = nullptr;
  switch (v) {
  case Verdict::Passed: counter = &m_counts.passed; break;
  case Verdict::Failed: counter = &m_counts.failed; break;
  case Verdict::Flaky: counter = &m_counts.flaky; break;
  case Verdict::Skipped: counter = &m_counts.skipped; break;
  case Verdict::NotRun: counter = &m_counts.not_run; break;
  }
  *counter = static_cast<std::size_t>(static_cast<long>(*counter) + delta);
}

void Tracker::settle(std::size_t test, Verdict v) {
  State& s = m_state[test];
  if (s.settled) {
    return;
  }
  s.settled = true;
  m_records[test].verdict = v;
  count(v, +1);
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
