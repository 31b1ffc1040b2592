// SPDX-License-Identifier: MIT
#include "engine/run_loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <numeric>

namespace offload::engine {
namespace {

constexpr std::size_t k_infra_failures_before_replacing = 2;
// How long the loop sleeps at most before looking at idle sandboxes again:
// a running batch may become worth a hedged copy by merely taking long.
constexpr double k_tick_secs = 0.1;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
// clang 14 does not deduce an aggregate's template arguments by itself.
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

} // namespace

RunLoop::RunLoop(Executor& executor, RunObserver& observer, RunInputs inputs)
    : m_exec(executor), m_observer(observer), m_in(std::move(inputs)),
      m_scheduler(scheduler_tests(m_in.tests), scheduler_options()),
      m_tracker(m_in.tests, attempts_allowed(m_in.tests), m_in.options.policy == SchedulePolicy::Static),
      m_round(m_in.tests.size(), 0) {
  m_order.resize(m_in.tests.size());
  std::iota(m_order.begin(), m_order.end(), std::size_t{0});
  if (m_in.worker_discovery) {
    m_collect.active = true;
    m_in.pending = true;
    for (std::size_t t = 0; t < m_in.tests.size(); ++t) {
      m_index.emplace(m_in.tests[t].id, t);
      if (m_in.tests[t].file) {
        m_tests_of_file[*m_in.tests[t].file].push_back(t);
      }
    }
  }
}

Result<RunOutcome> RunLoop::run() {
  m_started_early = m_in.pending ? m_in.tests.size() : 0;
  m_observer.run_started(m_in.tests.size(), sandboxes_for(std::max(m_in.tests.size(), m_in.listing.size())));
  open_slots(sandboxes_for(m_in.tests.size()));
  if (!m_in.listing.empty()) {
    start_listing(m_in.listing);
  }
  while (!finished()) {
    Event event = m_exec.next(k_tick_secs);
    handle(event);
    if (m_in.workers) {
      check_test_timeouts();
      ask_for_unreported();
    }
    dispatch();
    if (live_slots() == 0 && !m_slots.empty() && m_in.pending && m_collect.active && m_collect.listed) {
      abandon_collection();
    }
    settle_listing();
    if (live_slots() == 0 && !m_in.pending && m_scheduler.has_queued()) {
      settle_unrunnable();
    }
  }
  m_observer.run_finished();
  if (m_discovery_error) {
    return *m_discovery_error;
  }
  m_out.interrupted = m_interrupted;
  const std::string reason = m_interrupted        ? "the run was interrupted before it ran"
                             : m_stop_reason.empty() ? "no sandbox was left to run it"
                                                     : m_stop_reason;
  auto records = m_tracker.finish(reason);
  m_out.records.reserve(m_order.size());
  for (std::size_t t : m_order) {
    m_out.records.push_back(std::move(records[t]));
  }
  m_out.estimated_from_history = m_from_history;
  m_out.sandboxes = std::max<std::size_t>(1, m_slots.size());
  m_out.wall_secs = m_exec.now();
  m_out.batch_overhead_secs = m_scheduler.overhead_secs();
  m_out.started_early = m_started_early;
  m_out.withdrawn = m_withdrawn;
  return std::move(m_out);
}

void RunLoop::handle(Event& event) {
  std::visit(Overloaded{
                 [this](SandboxReady& e) { on_ready(e); },
                 [this](SandboxLost& e) { on_lost(e); },
                 [this](BatchDone& e) { on_batch(e); },
                 [this](OutputLine& e) { m_observer.output(e.slot, e.batch, e.stream, e.line); },
                 [this](DiscoveryDone& e) { on_discovery(e); },
                 [this](Interrupted&) { on_interrupt(); },
                 [](Tick&) {},
                 [this](WorkerReady& e) { on_worker_ready(e); },
                 [this](TestStarted& e) { on_test_started(e); },
                 [this](TestFinished& e) { on_test_finished(e); },
                 [this](WorkerEnded& e) { on_worker_ended(e); },
                 [this](FileCollected& e) { on_file_collected(e); },
             },
             event);
}

void RunLoop::on_ready(const SandboxReady& e) {
  m_slots[e.slot].state = SlotState::Idle;
  m_out.phases.push_back({"create sandbox", static_cast<long>(e.slot), e.began_secs, m_exec.now()});
}

void RunLoop::on_lost(const SandboxLost& e) {
  m_slots[e.slot].state = SlotState::Lost;
  forget_asked(e.slot);
  m_scheduler.release(e.slot);
  m_last_sandbox_error = e.error.message;
  // Sandboxes tend to fail alike; one line per distinct reason is enough.
  if (m_sandbox_errors.insert(e.error.message).second) {
    spdlog::warn("{}", e.error.message);
  }
}

void RunLoop::on_batch(BatchDone& e) {
  m_observer.sandbox_running(e.slot, {});
  Slot& slot = m_slots[e.slot];
  if (e.report.ending == BatchReport::Ending::Infrastructure) {
    if (++slot.infra_in_a_row >= k_infra_failures_before_replacing) {
      spdlog::warn("replacing sandbox {}: {} failures in a row, last: {}", e.slot, slot.infra_in_a_row,
                   e.report.problem);
      slot.infra_in_a_row = 0;
      slot.state = SlotState::Opening;
      m_exec.replace(e.slot);
    } else {
      slot.state = SlotState::Idle;
    }
  } else {
    slot.infra_in_a_row = 0;
    slot.state = SlotState::Idle;
  }
  // The scheduler learns at once (the batch no longer runs, its durations
  // count); the twins must be looked up before it forgets the batch.
  std::vector<std::size_t> twins = m_scheduler.twins(e.batch.id);
  Ended ended{std::move(e), std::move(twins)};
  std::vector<std::pair<std::size_t, double>> observed;
  for (const auto& [t, attempt] : ended.done.report.results) {
    observed.emplace_back(t, attempt.duration_secs);
  }
  m_scheduler.finished(ended.done.batch, observed, ended.done.report.wall_secs);
  if (m_in.pending) {
    // Until discovery answers, a result may belong to a test it no longer
    // lists; the sandbox goes on meanwhile, the judging waits.
    m_deferred.push_back(std::move(ended));
    return;
  }
  judge_batch(ended);
}

void RunLoop::judge_batch(Ended& ended) {
  BatchDone& done = ended.done;
  const Batch& b = done.batch;
  const BatchReport& rep = done.report;
  JudgeInput in;
  in.open = [&](std::size_t position) { return accepted(b, position) && !m_tracker.settled(b.tests[position]); };
  in.requeue_cancelled = !stopping() && ended.twins.empty();
  in.benign_exit_statuses = &m_in.benign_exit_statuses;
  in.sandbox = "sandbox " + std::to_string(done.slot);
  Judgement j = judge(b, rep, in);
  if (rep.ending == BatchReport::Ending::Infrastructure) {
    spdlog::warn("batch {}: {}", b.id, rep.problem);
  }
  for (const Action& a : j.actions) {
    apply(a, done.slot);
  }
  m_out.strays.insert(m_out.strays.end(), std::make_move_iterator(j.strays.begin()),
                      std::make_move_iterator(j.strays.end()));
  if (j.problem) {
    spdlog::warn("{}", *j.problem);
    m_out.problems.push_back(std::move(*j.problem));
  }
  if (done.log) {
    done.log->finish(j.outcome);
  }
  cancel_finished_twins(ended.twins);
  m_running.erase(b.id);
  if (m_tracker.all_settled()) {
    cancel_running();
  }
  const double end = m_exec.now();
  m_out.batches.push_back({b.id, done.slot, std::max(0.0, end - rep.wall_secs), end, j.outcome, b.tests.size()});
  m_observer.progress(m_tracker.counts(),
                      m_scheduler.queued_secs() / static_cast<double>(std::max<std::size_t>(1, live_slots())));
}

void RunLoop::apply(const Action& a, std::size_t slot) {
  const bool open = !m_tracker.settled(a.test);
  switch (a.kind) {
  case Action::Kind::Record: {
    ++m_round[a.test];
    const NextStep step = m_tracker.record(a.test, a.attempt);
    if (open) {
      tell_ended(a.test, slot, true);
    }
    after_verdict(step, a.test, slot);
    break;
  }
  case Action::Kind::Infrastructure:
    if (m_tracker.infrastructure(a.test, a.attempt) == NextStep::Retry && !stopping()) {
      m_scheduler.retry(a.test, slot);
    }
    if (open && m_tracker.settled(a.test)) {
      tell_ended(a.test, slot, false);
    }
    break;
  case Action::Kind::Isolate:
    m_scheduler.isolate(a.test);
    break;
  case Action::Kind::NotRun:
    ++m_round[a.test];
    m_tracker.not_run(a.test, a.reason);
    if (open) {
      tell_ended(a.test, slot, false);
    }
    break;
  case Action::Kind::Requeue:
    m_scheduler.retry(a.test, std::nullopt);
    break;
  }
}

// `ran`: the test's last attempt is what was judged (else it was settled
// without one of its own).
void RunLoop::tell_ended(std::size_t test, std::size_t slot, bool ran) {
  const TestRecord& record = m_tracker.record_of(test);
  m_observer.test_ended({slot, record, ran ? &record.attempts.back() : nullptr, m_tracker.settled(test)});
}

void RunLoop::act(Action action, std::size_t slot) {
  const bool verdict = action.kind != Action::Kind::Isolate && action.kind != Action::Kind::Requeue;
  // A test a worker reported with its file is known to exist.
  if (m_in.pending && verdict && !confirmed(action.test)) {
    m_deferred_actions.emplace_back(std::move(action), slot);
    return;
  }
  apply(action, slot);
}

void RunLoop::after_verdict(NextStep step, std::size_t test, std::size_t slot) {
  if (step == NextStep::Retry && !stopping()) {
    m_scheduler.retry(test, slot);
    return;
  }
  if (step == NextStep::Settled && m_in.options.fail_fast && m_tracker.record_of(test).verdict == Verdict::Failed &&
      !m_stopped) {
    stop_with("not run: --fail-fast stopped the run after " + m_in.tests[test].id + " failed");
  }
}

void RunLoop::stop_with(std::string reason) {
  m_stopped = true;
  m_stop_reason = std::move(reason);
  for (std::size_t t : m_scheduler.drain()) {
    m_tracker.not_run(t, m_stop_reason);
  }
  cancel_running();
}

void RunLoop::on_interrupt() {
  m_interrupted = true;
  m_scheduler.drain();
  cancel_running();
}

void RunLoop::cancel_running() {
  for (const auto& [id, running] : m_running) {
    m_exec.cancel(id);
  }
  for (std::size_t i = 0; i < m_slots.size() && m_in.workers; ++i) {
    if (m_slots[i].worker != WorkerState::None) {
      m_exec.kill_worker(i);
    }
  }
}

void RunLoop::cancel_finished_twins(const std::vector<std::size_t>& twins) {
  for (std::size_t twin : twins) {
    const auto running = m_running.find(twin);
    if (running == m_running.end()) {
      continue;
    }
    // The twin is done for once every one of its tests' rounds moved on.
    const auto& tests = running->second.tests;
    bool open = false;
    for (std::size_t i = 0; i < tests.size(); ++i) {
      open = open || running->second.rounds[i] == m_round[tests[i]];
    }
    if (!open) {
      m_exec.cancel(twin);
    }
  }
}

void RunLoop::settle_unrunnable() {
  if (stopping()) {
    return;
  }
  m_stop_reason = "no sandbox could be created: " + m_last_sandbox_error;
  for (std::size_t t : m_scheduler.drain()) {
    m_tracker.not_run(t, m_stop_reason);
  }
}

void RunLoop::dispatch() {
  if (m_in.workers) {
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
      dispatch_worker(i);
    }
    return;
  }
  // First every idle sandbox takes what it may; only then may a retry go
  // back to the sandbox it failed on, when no other one took it.
  for (const bool fallback : {false, true}) {
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
      if (m_slots[i].state == SlotState::Idle) {
        dispatch_batch(i, fallback);
      }
    }
  }
}

// Nothing is queued now, but a running batch may still fail and be retried,
// or discovery may add tests.
bool RunLoop::work_may_come() const {
  return m_scheduler.in_flight() > 0 || m_scheduler.has_queued() || m_in.pending;
}

void RunLoop::dispatch_batch(std::size_t i, bool fallback) {
  if (stopping() || (m_tracker.all_settled() && !m_in.pending)) {
    close_slot(i);
    return;
  }
  if (auto batch = m_scheduler.take(i, m_exec.now(), fallback)) {
    Running& running = m_running[batch->id];
    std::vector<std::string> ids;
    ids.reserve(batch->tests.size());
    for (std::size_t t : batch->tests) {
      running.rounds.push_back(m_round[t]);
      running.tests.push_back(t);
      ids.push_back(m_in.tests[t].id);
    }
    m_slots[i].state = SlotState::Busy;
    m_observer.sandbox_running(i, ids);
    m_exec.start(*batch, std::move(ids));
  } else if (fallback && !work_may_come()) {
    close_slot(i);
  }
}

void RunLoop::close_slot(std::size_t slot) {
  m_slots[slot].state = SlotState::Closed;
  m_exec.close(slot);
}

void RunLoop::open_slots(std::size_t count) {
  if (stopping()) {
    return;
  }
  while (m_slots.size() < count) {
    m_slots.emplace_back();
    m_exec.open(m_slots.size() - 1);
  }
}

bool RunLoop::finished() const {
  if (m_in.pending || !m_deferred.empty() || !m_deferred_actions.empty()) {
    return false;
  }
  return std::all_of(m_slots.begin(), m_slots.end(),
                     [](const Slot& s) { return s.state == SlotState::Lost || s.state == SlotState::Closed; });
}

std::size_t RunLoop::live_slots() const {
  return static_cast<std::size_t>(std::count_if(m_slots.begin(), m_slots.end(), [](const Slot& s) {
    return s.state == SlotState::Opening || s.state == SlotState::Idle || s.state == SlotState::Busy;
  }));
}

// Static mode schedules every attempt up front, so each result counts;
// otherwise a result counts only if no copy of the batch answered first.
bool RunLoop::accepted(const Batch& b, std::size_t position) const {
  if (m_in.options.policy == SchedulePolicy::Static) {
    return true;
  }
  const auto running = m_running.find(b.id);
  return running != m_running.end() && running->second.rounds[position] == m_round[b.tests[position]];
}

} // namespace offload::engine
