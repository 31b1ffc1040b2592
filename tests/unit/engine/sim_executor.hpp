// SPDX-License-Identifier: MIT
#pragma once

// A simulated executor for the run loop's tests: sandboxes and a test
// runner that behave as each test is scripted to, on a virtual clock, so a
// run with hangs, crashes and hedged copies takes microseconds and always
// goes the same way.

#include "engine/executor.hpp"

#include <algorithm>
#include <deque>

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace offload::engine::sim {

/// How one test behaves each time it runs.
struct FakeTest {
  double secs = 0.1;
  /// Result of the 1st, 2nd, ... run; the last one repeats. Empty: passes.
  std::vector<AttemptResult> outcomes;
  bool hangs = false;       ///< never ends: its batch times out
  bool passes_when_killed = false; ///< a hang that, killed, still reports a pass
  bool crashes = false;     ///< kills the runner: it and what follows get no result
  bool unreported = false;  ///< the runner exits 0 without a result for it
  std::size_t infrastructure_failures = 0; ///< first N batches holding it fail to exec
};

/// What the run loop sees instead of plugins and threads.
class SimExecutor final : public Executor {
public:
  SimExecutor(std::map<std::string, FakeTest> suite, double batch_overhead_secs = 0.2,
              double timeout_secs = 10.0)
      : m_suite(std::move(suite)), m_overhead(batch_overhead_secs), m_timeout(timeout_secs) {}

  // Scripted surprises.
  void fail_creation(std::size_t slot, Error error) { m_creation_errors[slot].push_back(std::move(error)); }
  void interrupt_at(double t) { schedule(t, Interrupted{}); }
  void discovery_at(double t, Result<std::vector<TestCase>> tests) { schedule(t, DiscoveryDone{std::move(tests)}); }
  /// Every batch also reports a case that matches no test, with `result`.
  void report_stray(AttemptResult result) { m_stray = result; }
  /// Batches exit with `status` although every test passed.
  void exit_with(int status) { m_exit_override = status; }
  /// The next `n` workers fail to start (their exec fails).
  void fail_worker_starts(std::size_t n) { m_worker_start_failures = n; }
  /// The next `n` workers say ready, then nothing ever again (a stuck stream).
  void silence_workers(std::size_t n) { m_silent_workers = n; }
  /// The worker of `slot` takes `secs` to start (0.3 s otherwise).
  void set_start_secs(std::size_t slot, double secs) { m_start_secs[slot] = secs; }
  /// Worker discovery: what each file holds as a worker collects it (a test
  /// of the suite in none is not_found); `error` makes collecting it fail.
  void set_files(std::map<std::string, std::vector<std::string>> files) { m_files = std::move(files); }
  void fail_collecting(std::string file, std::string error) { m_collect_errors[std::move(file)] = std::move(error); }

  double now() const override { return m_now; }

  void open(std::size_t slot) override {
    ++m_opened;
    auto& errors = m_creation_errors[slot];
    if (!errors.empty()) {
      Error e = errors.front();
      errors.erase(errors.begin());
      schedule(m_now + 0.05, SandboxLost{slot, std::move(e)});
      return;
    }
    m_alive.insert(slot);
    schedule(m_now + 0.05, SandboxReady{slot, m_now});
  }

  void replace(std::size_t slot) override {
    ++m_replaced;
    m_alive.erase(slot);
    open(slot);
  }

  void start(const Batch& batch, std::vector<std::string> ids) override {
    if (m_alive.count(batch.sandbox) == 0) {
      throw std::logic_error("batch started on a sandbox that is not up");
    }
    started.push_back(batch);
    started_ids.push_back(ids);
    auto [at, report] = simulate(batch, ids);
    m_pending[batch.id] = schedule(at, BatchDone{batch.sandbox, batch, std::move(report), nullptr});
  }

  void cancel(std::size_t batch) override {
    const auto it = m_pending.find(batch);
    if (it == m_pending.end()) {
      return;
    }
    ++cancelled;
    auto node = m_events.extract(it->second);
    auto& done = std::get<BatchDone>(node.mapped());
    done.report = BatchReport{};
    done.report.ending = BatchReport::Ending::Cancelled;
    done.report.wall_secs = m_now - done.batch.start;
    m_pending.erase(it);
    schedule(m_now, std::move(node.mapped()));
  }

  void close(std::size_t slot) override {
    ++m_closed;
    m_alive.erase(slot);
  }

  Event next(double max_wait_secs) override {
    if (m_events.empty()) {
      // Nothing will ever happen again: the loop must not wait forever.
      if (++m_idle_ticks > 10000) {
        throw std::runtime_error("the run loop waits for an event that never comes");
      }
      m_now += max_wait_secs;
      return Tick{};
    }
    if (m_events.begin()->first.first > m_now + max_wait_secs) {
      // As a real loop does, wake up now and then while waiting.
      m_now += max_wait_secs;
      return Tick{};
    }
    auto node = m_events.extract(m_events.begin());
    m_now = std::max(m_now, node.key().first);
    if (const auto* done = std::get_if<BatchDone>(&node.mapped())) {
      m_pending.erase(done->batch.id);
    }
    return std::move(node.mapped());
  }

  // A simulated persistent worker per slot: it runs what it is fed in
  // order, each test taking its time after the previous one.
  void start_worker(std::size_t slot, const std::vector<std::string>& first) override {
    ++worker_starts;
    Worker& w = m_workers[slot];
    w = Worker{};
    if (m_worker_start_failures > 0) {
      --m_worker_start_failures;
      w.dead = true;
      worker_event(slot, m_now + 0.01, WorkerEnded{slot, -1, false, "exec failed: the sandbox went away"});
      return;
    }
    const auto start_secs = m_start_secs.find(slot);
    w.busy_until = m_now + (start_secs == m_start_secs.end() ? 0.3 : start_secs->second);
    for (const std::string& hint : first) {
      collect_file(slot, m_files.contains(hint) ? hint : file_of(hint));
    }
    worker_event(slot, w.busy_until, WorkerReady{slot, {}});
    if (m_silent_workers > 0) {
      --m_silent_workers;
      w.dead = true; // never answers; only a kill ends it
    }
  }

  // As the protocol's look-ahead has it, a worker runs a test only once
  // it knows the next one, or that none follows (finish_worker).
  void feed(std::size_t slot, const std::vector<std::string>& ids) override {
    Worker& w = m_workers[slot];
    fed.insert(fed.end(), ids.begin(), ids.end());
    w.queue.insert(w.queue.end(), ids.begin(), ids.end());
    run_queued(slot, 1);
  }

  void collect(std::size_t slot, const std::vector<std::string>& files) override {
    collect_requests.push_back(files);
    for (const std::string& file : files) {
      collect_file(slot, file);
    }
  }

  void finish_worker(std::size_t slot) override {
    Worker& w = m_workers[slot];
    if (!w.dead && !w.finishing) {
      w.finishing = true;
      run_queued(slot, 0);
      if (!w.dead) {
        worker_event(slot, std::max(m_now, w.busy_until), WorkerEnded{slot, 0, false, {}});
      }
    }
  }

  void kill_worker(std::size_t slot) override {
    Worker& w = m_workers[slot];
    for (const Key& k : w.events) {
      m_events.erase(k);
    }
    w.events.clear();
    if (!w.killed) {
      w.killed = w.dead = true;
      ++workers_killed;
      if (!w.hung.empty() && m_suite.at(w.hung).passes_when_killed) {
        Attempt a;
        a.result = AttemptResult::Passed;
        schedule(m_now, TestFinished{slot, w.hung, true, a});
      }
      schedule(m_now, WorkerEnded{slot, -1, true, {}});
    }
  }

  std::size_t opened() const { return m_opened; }
  std::size_t closed() const { return m_closed; }
  std::size_t replaced() const { return m_replaced; }
  /// Sandboxes up and not yet closed (or replaced).
  std::size_t alive() const { return m_alive.size(); }
  /// Runs of each test so far, copies and retries included.
  std::size_t runs(const std::string& id) const { return m_runs.count(id) ? m_runs.at(id) : 0; }

  std::vector<Batch> started;
  std::vector<std::string> fed; ///< every test handed to a worker, in order
  std::vector<std::vector<std::string>> collect_requests;
  std::size_t files_collected = 0; ///< by every worker, each time
  std::size_t worker_starts = 0;
  std::size_t workers_killed = 0;
  std::vector<std::vector<std::string>> started_ids;
  std::size_t cancelled = 0;

private:
  using Key = std::pair<double, std::size_t>; ///< time, then order of scheduling

  Key schedule(double at, Event e) {
    const Key key{at, m_seq++};
    m_events.emplace(key, std::move(e));
    return key;
  }

  struct Worker {
    double busy_until = 0.0;
    bool dead = false;
    bool finishing = false;
    bool killed = false;
    std::deque<std::string> queue; ///< fed, not yet begun
    std::string hung;              ///< the hanging test it runs
    std::vector<Key> events;
    std::set<std::string> collected;
  };

  std::string file_of(const std::string& id) const {
    for (const auto& [file, ids] : m_files) {
      if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
        return file;
      }
    }
    return id.substr(0, id.find("::"));
  }

  /// A worker collects a file once (0.1 s), and reports it.
  void collect_file(std::size_t slot, const std::string& file) {
    Worker& w = m_workers[slot];
    if (m_files.empty() || w.dead || !w.collected.insert(file).second) {
      return;
    }
    ++files_collected;
    w.busy_until = std::max(m_now, w.busy_until) + 0.1;
    FileCollected c{slot, file, {}, {}};
    if (const auto error = m_collect_errors.find(file); error != m_collect_errors.end()) {
      c.error = error->second;
    } else if (const auto ids = m_files.find(file); ids != m_files.end()) {
      for (const std::string& id : ids->second) {
        c.tests.push_back(TestCase{id, 0, file, {}, {}});
      }
    }
    worker_event(slot, w.busy_until, std::move(c));
  }

  void worker_event(std::size_t slot, double at, Event e) { m_workers[slot].events.push_back(schedule(at, std::move(e))); }

  /// Runs what the worker was fed but `keep` tests.
  void run_queued(std::size_t slot, std::size_t keep) {
    Worker& w = m_workers[slot];
    while (w.queue.size() > keep && !w.dead) {
      const std::string id = w.queue.front();
      w.queue.pop_front();
      if (!m_files.empty()) {
        const std::string file = file_of(id);
        collect_file(slot, file);
        const auto listed = m_files.find(file);
        if (listed == m_files.end() || std::find(listed->second.begin(), listed->second.end(), id) == listed->second.end()) {
          worker_event(slot, std::max(m_now, w.busy_until), TestFinished{slot, id, false, {}});
          continue;
        }
      }
      const FakeTest& test = m_suite.at(id);
      const std::size_t run = m_runs[id]++;
      const double start = std::max(m_now, w.busy_until);
      worker_event(slot, start, TestStarted{slot, id});
      if (test.hangs) {
        w.dead = true; // never answers again; only a kill ends it
        w.hung = id;
        return;
      }
      w.busy_until = start + test.secs;
      if (test.crashes) {
        w.dead = true;
        worker_event(slot, w.busy_until, WorkerEnded{slot, 137, false, {}});
        return;
      }
      Attempt a;
      a.result = test.outcomes.empty() ? AttemptResult::Passed
                                       : test.outcomes[std::min(run, test.outcomes.size() - 1)];
      a.duration_secs = test.secs;
      worker_event(slot, w.busy_until, TestFinished{slot, id, !test.unreported, a});
    }
  }

  std::pair<double, BatchReport> simulate(const Batch& batch, const std::vector<std::string>& ids) {
    BatchReport r;
    for (const auto& id : ids) {
      auto& t = m_suite.at(id);
      if (t.infrastructure_failures > 0) {
        --t.infrastructure_failures;
        r.ending = BatchReport::Ending::Infrastructure;
        r.problem = "exec failed: the sandbox went away";
        r.wall_secs = 0.01;
        return {m_now + r.wall_secs, std::move(r)};
      }
    }
    double t = m_overhead;
    bool failed = false;
    bool crashed = false;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const FakeTest& test = m_suite.at(ids[i]);
      if (crashed) {
        r.missing.push_back(batch.tests[i]);
        continue;
      }
      const std::size_t run = m_runs[ids[i]]++;
      if (test.hangs) {
        r.ending = BatchReport::Ending::TimedOut;
        r.problem = "timed out after 10 s (test_timeout_secs)";
        r.wall_secs = m_timeout;
        r.results.clear();
        r.missing.clear();
        return {m_now + m_timeout, std::move(r)};
      }
      t += test.secs;
      if (test.crashes) {
        crashed = true;
        r.missing.push_back(batch.tests[i]);
        continue;
      }
      if (test.unreported) {
        r.missing.push_back(batch.tests[i]);
        continue;
      }
      Attempt a;
      a.result = test.outcomes.empty() ? AttemptResult::Passed
                                       : test.outcomes[std::min(run, test.outcomes.size() - 1)];
      a.duration_secs = test.secs;
      a.batch = batch.id;
      failed = failed || a.result == AttemptResult::Failed;
      r.results.emplace_back(batch.tests[i], std::move(a));
    }
    if (m_stray) {
      Attempt a;
      a.result = *m_stray;
      r.strays.push_back({"not_a_test", "somewhere", batch.id, a});
    }
    r.exit_status = crashed ? 137 : failed ? 1 : m_exit_override.value_or(0);
    if (!r.missing.empty()) {
      r.problem = "the result file has no result for " + std::to_string(r.missing.size()) + " tests";
    }
    r.wall_secs = t;
    return {m_now + t, std::move(r)};
  }

  std::map<std::string, FakeTest> m_suite;
  double m_overhead;
  double m_timeout;
  double m_now = 0.0;
  std::size_t m_seq = 0;
  std::map<Key, Event> m_events;
  std::map<std::size_t, Key> m_pending; ///< running batch -> its BatchDone
  std::map<std::size_t, std::vector<Error>> m_creation_errors;
  std::set<std::size_t> m_alive;
  std::map<std::string, std::size_t> m_runs;
  std::optional<AttemptResult> m_stray;
  std::optional<int> m_exit_override;
  std::map<std::size_t, Worker> m_workers;
  std::size_t m_worker_start_failures = 0;
  std::size_t m_silent_workers = 0;
  std::map<std::size_t, double> m_start_secs;
  std::map<std::string, std::vector<std::string>> m_files;
  std::map<std::string, std::string> m_collect_errors;
  std::size_t m_opened = 0;
  std::size_t m_closed = 0;
  std::size_t m_replaced = 0;
  std::size_t m_idle_ticks = 0;
};

} // namespace offload::engine::sim
