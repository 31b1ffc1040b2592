// SPDX-License-Identifier: MIT
// The parts of the run loop that set up and change its test list: what the
// scheduler and tracker start from, and discovery's late answer.
#include "engine/run_loop.hpp"

#include "engine/discovery.hpp"

#include <unordered_map>

namespace offload::engine {

std::vector<SchedTest> RunLoop::scheduler_tests(const std::vector<TestCase>& tests) {
  std::vector<SchedTest> out;
  out.reserve(tests.size());
  for (const auto& t : tests) {
    SchedTest s;
    if (t.file) {
      // Numbered across the run: late discoveries join their files.
      s.file = m_file_ids.emplace(*t.file, m_file_ids.size()).first->second;
    }
    s.group = t.group;
    s.id_chars = t.id.size();
    s.known_secs = m_in.history->estimate(t.id);
    m_from_history += s.known_secs ? 1 : 0;
    s.alone = m_in.exit_code_mode || (*m_in.groups)[t.group].schedule_individual;
    s.no_hedge = !(*m_in.groups)[t.group].hedge;
    out.push_back(s);
  }
  return out;
}

std::vector<std::size_t> RunLoop::attempts_allowed(const std::vector<TestCase>& tests) const {
  std::vector<std::size_t> out;
  out.reserve(tests.size());
  for (const auto& t : tests) {
    out.push_back(static_cast<std::size_t>((*m_in.groups)[t.group].retry_count) + 1);
  }
  return out;
}

SchedulerOptions RunLoop::scheduler_options() {
  SchedulerOptions s;
  if (auto overhead = m_in.history->batch_overhead()) {
    s.initial_overhead_secs = *overhead;
  }
  s.sandboxes = m_in.options.sandboxes;
  s.policy = m_in.options.policy;
  s.hedge = m_in.options.hedge;
  if (m_in.workers) {
    // A worker pays its start-up once; each test is its own unit of work.
    s.max_batch_tests = 1;
    s.stream_by_file = true;
    s.initial_overhead_secs = 0.0;
    // A test fed to a worker waits behind the ones before it, so its feed
    // time says nothing about whether it is overdue: no hedged copies.
    s.hedge = false;
  }
  if (s.policy == SchedulePolicy::Static) {
    s.static_instances = attempts_allowed(m_in.tests);
  }
  return s;
}

std::size_t RunLoop::sandboxes_for(std::size_t tests) const {
  return tests == 0 ? 0 : std::min(m_in.options.sandboxes, tests);
}

void RunLoop::on_discovery(DiscoveryDone& e) {
  if (m_collect.active && e.tests && is_file_listing(*e.tests)) {
    start_listing(*e.tests);
    return;
  }
  // The framework listed tests after all: they are the run's.
  m_collect.active = false;
  m_in.pending = false;
  if (!e.tests) {
    fail_discovery(e.tests.error());
    return;
  }
  reconcile(*e.tests);
  std::vector<Ended> deferred = std::move(m_deferred);
  m_deferred.clear();
  for (Ended& ended : deferred) {
    judge_batch(ended);
  }
  auto actions = std::move(m_deferred_actions);
  m_deferred_actions.clear();
  for (const auto& [action, slot] : actions) {
    apply(action, slot);
  }
  open_slots(sandboxes_for(m_order.size()));
}

// Nothing already run counts: the run fails with discovery's error.
void RunLoop::fail_discovery(Error error) {
  m_discovery_error = std::move(error);
  m_in.pending = false;
  m_stopped = true;
  for (std::size_t t : m_scheduler.drain()) {
    m_tracker.withdraw(t);
  }
  m_deferred.clear();
  m_deferred_actions.clear();
  cancel_running();
}

// The run's tests become exactly what discovery lists, in its order.
// Expected tests it kept keep their batches and results.
void RunLoop::reconcile(const std::vector<TestCase>& found) {
  std::unordered_map<std::string_view, std::size_t> expected;
  for (std::size_t t = 0; t < m_in.tests.size(); ++t) {
    expected.emplace(m_in.tests[t].id, t);
  }
  std::vector<char> gone(m_in.tests.size(), 1);
  std::vector<TestCase> fresh;
  m_order.clear();
  for (const TestCase& t : found) {
    const auto it = expected.find(t.id);
    if (it != expected.end() && m_in.tests[it->second].group == t.group && gone[it->second]) {
      gone[it->second] = 0;
      m_order.push_back(it->second);
    } else {
      m_order.push_back(m_in.tests.size() + fresh.size());
      fresh.push_back(t);
    }
  }
  m_scheduler.withdraw(gone);
  for (std::size_t t = 0; t < gone.size(); ++t) {
    if (gone[t]) {
      m_tracker.withdraw(t);
      ++m_withdrawn;
    }
  }
  m_scheduler.add(scheduler_tests(fresh));
  const auto allowed = attempts_allowed(fresh);
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    m_tracker.add(fresh[i], allowed[i]);
  }
  m_in.tests.insert(m_in.tests.end(), std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
  m_round.resize(m_in.tests.size(), 0);
  // A batch of nothing but dropped tests is not worth finishing.
  for (const auto& [id, running] : m_running) {
    if (std::all_of(running.tests.begin(), running.tests.end(), [&](std::size_t t) { return gone[t] != 0; })) {
      m_exec.cancel(id);
    }
  }
  m_observer.total_changed(m_order.size());
}

} // namespace offload::engine
