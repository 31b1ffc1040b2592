// SPDX-License-Identifier: MIT
// The run loop's persistent-worker mode: each sandbox runs one long-lived
// worker that is kept a short queue of tests, refilled as results arrive,
// and restarted when it dies (its running test is then the suspect).
#include "engine/run_loop.hpp"

#include <spdlog/spdlog.h>

namespace offload::engine {
namespace {

// A worker is kept at least this many tests and this much estimated work
// ahead, so it never waits for the next request and (by the protocol's
// look-ahead) module fixtures tear down at the right time.
constexpr std::size_t k_min_queued = 2;
constexpr std::size_t k_max_queued = 16;
constexpr double k_queued_secs = 0.5;
// A worker that ends this many times in a row without a single result
// cannot run here; its sandbox is given up.
constexpr std::size_t k_failed_starts = 3;

} // namespace

void RunLoop::dispatch_worker(std::size_t i) {
  Slot& slot = m_slots[i];
  if (slot.state != SlotState::Idle && slot.state != SlotState::Busy) {
    return;
  }
  const bool done = stopping() || (m_tracker.all_settled() && !m_in.pending);
  if (slot.worker == WorkerState::None) {
    if (done || (!work_may_come() && !slot.isolation)) {
      close_slot(i);
      return;
    }
    // Only what is queued (or a file to collect) is worth a worker; a retry
    // may still come from the others, and this sandbox waits for it.
    const bool collect_first = !slot.isolation && wants_to_collect(i);
    if (!m_scheduler.has_queued() && !slot.isolation && !collect_first) {
      return;
    }
    slot.worker = WorkerState::Starting;
    slot.state = SlotState::Busy;
    slot.fresh = true;
    slot.alone = false;
    slot.timed_out = false;
    slot.any_started = false;
    slot.start_timed_out = false;
    slot.went_quiet = false;
    slot.kill_sent = false;
    slot.session_began = m_exec.now();
    slot.session_tests = 0;
    // Its first test goes with the start, so a worker that collects lazily
    // imports only that test's file before it is ready.
    std::vector<std::string> first;
    if (collect_first) {
      // It collects that file before it is ready, and reports its tests.
      first.push_back(next_to_collect(i));
    } else if (!slot.isolation) {
      if (auto chunk = m_scheduler.take(i, m_exec.now())) {
        for (std::size_t t : chunk->tests) {
          first.push_back(m_in.tests[t].id);
        }
        if (chunk->isolation) {
          slot.isolation = std::move(chunk);
        } else {
          slot.first = std::move(chunk);
        }
      }
    } else {
      for (std::size_t t : slot.isolation->tests) {
        first.push_back(m_in.tests[t].id);
      }
    }
    m_exec.start_worker(i, first);
    return;
  }
  if (slot.worker != WorkerState::Ready) {
    return;
  }
  if (slot.first) {
    const Batch chunk = std::move(*slot.first);
    slot.first.reset();
    feed(i, chunk);
  }
  // The worker runs a test only once it knows the next one or that none
  // follows: with fewer than two queued and nothing more to give it, it is
  // told to stop, or it would wait for ever. More work later gets a new one.
  bool exhausted = done || slot.alone;
  if (!exhausted) {
    double queued_secs = 0.0;
    for (const Sent& s : slot.sent) {
      queued_secs += m_scheduler.estimate(s.test);
    }
    while (!slot.isolation && slot.sent.size() < k_max_queued &&
           (slot.sent.size() < k_min_queued || queued_secs < k_queued_secs)) {
      if (m_collect.active && !m_scheduler.has_work_for(i) && (owes_collection(i) || wants_to_collect(i))) {
        // A file of its own to collect beats stealing another's: its worker
        // waits for the file's tests, which come with its report.
        if (!owes_collection(i)) {
          ask_to_collect(i);
        }
        break;
      }
      auto chunk = m_scheduler.take(i, m_exec.now());
      if (!chunk) {
        exhausted = true;
        break;
      }
      if (chunk->isolation) {
        // A suspect re-runs alone, in a worker that has run nothing else.
        slot.isolation = std::move(chunk);
        break;
      }
      for (std::size_t t : chunk->tests) {
        queued_secs += m_scheduler.estimate(t);
      }
      feed(i, *chunk);
    }
    if (slot.isolation) {
      // This worker is given nothing more: the suspect waits for a fresh
      // one, and this one must be told to finish what it has.
      if (slot.fresh && slot.sent.empty()) {
        slot.alone = true;
        const Batch chunk = std::move(*slot.isolation);
        slot.isolation.reset();
        feed(i, chunk);
      }
      exhausted = true;
    }
  }
  const bool stalls = slot.sent.size() < k_min_queued && exhausted;
  if (stalls && (!slot.sent.empty() || done || !work_may_come() || slot.alone || slot.isolation)) {
    slot.worker = WorkerState::Finishing;
    m_exec.finish_worker(i);
  }
}

void RunLoop::feed(std::size_t i, const Batch& chunk) {
  Slot& slot = m_slots[i];
  Running& running = m_running[chunk.id];
  Chunk& c = m_chunks[chunk.id];
  c.batch = chunk;
  if (slot.sent.empty()) {
    slot.quiet_since = m_exec.now(); // an idle worker owes nothing until it is given a test
  }
  std::vector<std::string> ids;
  for (std::size_t t : chunk.tests) {
    running.rounds.push_back(m_round[t]);
    running.tests.push_back(t);
    slot.sent.push_back({t, chunk.id, false});
    ids.push_back(m_in.tests[t].id);
    ++c.open;
  }
  m_exec.feed(i, ids);
}

void RunLoop::on_worker_ready(const WorkerReady& e) {
  Slot& slot = m_slots[e.slot];
  slot.worker = WorkerState::Ready;
  slot.quiet_since = m_exec.now();
  for (const auto& error : e.errors) {
    spdlog::warn("sandbox {}: the worker reported a collection error: {}", e.slot, error);
  }
}

void RunLoop::on_test_started(const TestStarted& e) {
  Slot& slot = m_slots[e.slot];
  if (slot.kill_sent) {
    return;
  }
  for (Sent& s : slot.sent) {
    if (!s.started && m_in.tests[s.test].id == e.id) {
      s.started = true;
      slot.any_started = true;
      slot.quiet_since = m_exec.now();
      m_observer.sandbox_running(e.slot, std::span(&e.id, 1));
      return;
    }
  }
}

void RunLoop::on_test_finished(TestFinished& e) {
  Slot& slot = m_slots[e.slot];
  if (slot.kill_sent) {
    // Said while it dies: a timed-out test that caught the interrupt
    // would pass. Its end judges what it was running.
    return;
  }
  auto it = std::find_if(slot.sent.begin(), slot.sent.end(),
                         [&](const Sent& s) { return m_in.tests[s.test].id == e.id; });
  if (it == slot.sent.end()) {
    spdlog::warn("sandbox {}: the worker reported '{}', which it was not given", e.slot, e.id);
    return;
  }
  const Sent sent = *it;
  slot.sent.erase(it);
  slot.quiet_since = m_exec.now();
  m_observer.sandbox_running(e.slot, {});
  slot.fresh = false;
  slot.failed_starts = 0;
  ++slot.session_tests;
  if (counts(sent)) {
    e.attempt.batch = sent.chunk;
    e.attempt.sandbox = "sandbox " + std::to_string(e.slot);
    if (e.found) {
      act({Action::Kind::Record, sent.test, std::move(e.attempt), {}}, e.slot);
    } else {
      act({Action::Kind::NotRun, sent.test, {},
             "the worker has no test with this ID (it answered not_found); do its IDs match discovery's?"},
            e.slot);
    }
  }
  close_chunk_test(sent.chunk, std::make_pair(sent.test, e.attempt.duration_secs));
  m_observer.progress(m_tracker.counts(),
                      m_scheduler.queued_secs() / static_cast<double>(std::max<std::size_t>(1, live_slots())));
}

// One test of a chunk answered (or went back to the queue); the scheduler
// learns when the whole chunk has.
void RunLoop::close_chunk_test(std::size_t id, std::optional<std::pair<std::size_t, double>> observed) {
  Chunk& c = m_chunks.at(id);
  if (observed) {
    c.observed.push_back(*observed);
  }
  if (--c.open > 0) {
    return;
  }
  double wall = 0.0;
  for (const auto& [t, secs] : c.observed) {
    wall += secs;
  }
  m_scheduler.finished(c.batch, c.observed, wall);
  m_running.erase(id);
  m_chunks.erase(id);
  if (m_tracker.all_settled() && !m_in.pending) {
    // What they still run are copies nobody needs (while the listing is
    // pending, a starting worker is about to collect what is still unknown).
    for (std::size_t s = 0; s < m_slots.size(); ++s) {
      Slot& other = m_slots[s];
      if ((other.worker == WorkerState::Starting || !other.sent.empty()) && !other.kill_sent) {
        other.kill_sent = true;
        m_exec.kill_worker(s);
      }
    }
  }
}

// Whether a result for `sent` still counts: no copy answered for the test
// first and it has no verdict yet.
bool RunLoop::counts(const Sent& sent) const {
  const Batch& chunk = m_chunks.at(sent.chunk).batch;
  const auto position = static_cast<std::size_t>(
      std::find(chunk.tests.begin(), chunk.tests.end(), sent.test) - chunk.tests.begin());
  return accepted(chunk, position) && !m_tracker.settled(sent.test);
}

void RunLoop::on_worker_ended(const WorkerEnded& e) {
  m_observer.sandbox_running(e.slot, {});
  Slot& slot = m_slots[e.slot];
  // Died before it began any test: its start failed (collection, exec).
  const bool failed_start = !slot.any_started && !stopping() && (!e.killed || slot.start_timed_out || slot.went_quiet) &&
                            (!slot.sent.empty() || !e.problem.empty() || e.exit_status != 0);
  m_out.batches.push_back({m_out.batches.size() + 1, e.slot, slot.session_began, m_exec.now(),
                           e.exit_status == 0 && !e.killed ? BatchOutcome::Success : BatchOutcome::Error,
                           slot.session_tests});
  const std::string sandbox = "sandbox " + std::to_string(e.slot);
  std::string why = slot.start_timed_out ? "it was not ready after test_timeout_secs"
                    : slot.went_quiet    ? "given tests, it said nothing for per_test_timeout_secs"
                    : e.problem.empty()  ? "exit status " + std::to_string(e.exit_status)
                                         : e.problem;
  for (const Sent& s : slot.sent) {
    const bool open = !stopping() && counts(s);
    const auto attempt = [&](AttemptResult result, std::string message) {
      Attempt a;
      a.result = result;
      a.message = std::move(message);
      a.batch = s.chunk;
      a.sandbox = sandbox;
      return a;
    };
    if (open && s.started && slot.timed_out) {
      Attempt a = attempt(AttemptResult::TimedOut,
                          "ran over per_test_timeout_secs (" +
                              std::to_string(static_cast<long long>(m_in.per_test_timeout_secs)) +
                              " s); its worker was killed");
      a.duration_secs = m_exec.now() - slot.quiet_since;
      act({Action::Kind::Record, s.test, std::move(a), {}}, e.slot);
    } else if (open && s.started && slot.alone) {
      act({Action::Kind::Record, s.test,
           attempt(AttemptResult::Crashed, "crashed: its worker ended (" + why + ") while running it alone"), {}},
          e.slot);
    } else if (open && s.started) {
      act({Action::Kind::Isolate, s.test, {}, {}}, e.slot);
    } else if (open && failed_start) {
      act({Action::Kind::Infrastructure, s.test,
           attempt(AttemptResult::Infrastructure, "the worker ended (" + why + ") before running it"), {}},
          e.slot);
    } else if (open) {
      act({Action::Kind::Requeue, s.test, {}, {}}, e.slot);
    }
    close_chunk_test(s.chunk, std::nullopt);
  }
  slot.sent.clear();
  forget_asked(e.slot);
  give_back(slot.first, false);
  if (failed_start || stopping()) {
    // A suspect waiting for this sandbox's fresh worker: that worker may
    // never come (the sandbox is going), so another sandbox re-runs it.
    give_back(slot.isolation, true);
  }
  slot.worker = WorkerState::None;
  slot.state = SlotState::Idle;
  if (failed_start) {
    if (++slot.failed_starts >= k_failed_starts) {
      slot.state = SlotState::Lost;
      m_last_sandbox_error = "its worker ended " + std::to_string(k_failed_starts) + " times without a result, last: " + why;
      spdlog::warn("giving up sandbox {}: {}", e.slot, m_last_sandbox_error);
      m_scheduler.release(e.slot);
      m_exec.close(e.slot);
    }
  }
}

// Work taken for a worker but never sent to it goes back to the queue,
// untouched; until it does, the scheduler counts it as running.
void RunLoop::give_back(std::optional<Batch>& chunk, bool alone) {
  if (!chunk) {
    return;
  }
  m_scheduler.finished(*chunk, {}, 0.0);
  for (std::size_t t : chunk->tests) {
    if (stopping() || m_tracker.settled(t)) {
      continue;
    }
    if (alone) {
      m_scheduler.isolate(t);
    } else {
      m_scheduler.retry(t, std::nullopt);
    }
  }
  chunk.reset();
}

void RunLoop::check_test_timeouts() {
  const double now = m_exec.now();
  for (std::size_t i = 0; i < m_slots.size(); ++i) {
    Slot& slot = m_slots[i];
    if (slot.worker == WorkerState::Starting && !slot.start_timed_out &&
        now - slot.session_began > m_in.options.timeout_secs) {
      slot.start_timed_out = slot.kill_sent = true;
      m_exec.kill_worker(i);
    }
    const bool running = !slot.sent.empty() && slot.sent.front().started;
    const bool owes = (slot.worker == WorkerState::Ready || slot.worker == WorkerState::Finishing) &&
                      (!slot.sent.empty() || owes_collection(i)) && !slot.kill_sent;
    if (owes && now - slot.quiet_since > m_in.per_test_timeout_secs) {
      // A running test ran over; or, given tests, it neither began one nor
      // answered: its stream is stuck, no test is to blame, they go back.
      (running ? slot.timed_out : slot.went_quiet) = true;
      slot.kill_sent = true;
      m_exec.kill_worker(i);
    }
  }
}

} // namespace offload::engine
