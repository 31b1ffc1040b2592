// SPDX-License-Identifier: MIT
#include "engine/orchestrator.hpp"

#include "engine/batch_runner.hpp"
#include "engine/tracker.hpp"
#include "report/batch_log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>
#include <unordered_map>

namespace offload::engine {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int k_create_attempts = 3;
constexpr std::size_t k_infra_failures_before_replacing = 2;

std::vector<SchedTest> scheduler_tests(const std::vector<TestCase>& tests, const std::vector<config::Group>& groups,
                                       const History& history, bool exit_code_mode, std::size_t& from_history) {
  std::vector<SchedTest> out;
  out.reserve(tests.size());
  std::unordered_map<std::string_view, std::size_t> files;
  for (const auto& t : tests) {
    SchedTest s;
    if (t.file) {
      s.file = files.emplace(*t.file, files.size()).first->second;
    }
    s.group = t.group;
    s.id_chars = t.id.size();
    s.known_secs = history.estimate(t.id);
    from_history += s.known_secs ? 1 : 0;
    s.alone = exit_code_mode || groups[t.group].schedule_individual;
    out.push_back(s);
  }
  return out;
}

class Run {
public:
  /// `pending`: `tests` are expected ones; a discovery answer is to come.
  Run(const plugin::Provider& provider, const plugin::Framework& framework, std::vector<TestCase> tests,
      bool pending, const std::vector<config::Group>& groups, const History& history, const RunOptions& options,
      const process::CancelToken& interrupt, report::Console& console)
      : m_provider(provider), m_framework(framework), m_tests(std::move(tests)), m_groups(groups),
        m_history(history), m_opt(options), m_interrupt(interrupt), m_console(console), m_started(Clock::now()),
        m_scheduler(scheduler_tests(m_tests, groups, history, !framework.has_result_files(), m_from_history),
                    scheduler_options(m_tests, groups, history, options)),
        m_tracker(m_tests, attempts_allowed(m_tests, groups), options.policy == SchedulePolicy::Static),
        m_round(m_tests.size(), 0), m_pending(pending) {
    m_order.resize(m_tests.size());
    std::iota(m_order.begin(), m_order.end(), std::size_t{0});
    m_ctx.framework = &framework;
    m_ctx.results_dir = options.output_dir / "results";
    m_ctx.timeout_secs = options.timeout_secs;
    m_ctx.fail_fast = options.fail_fast;
    if (console.echoes_output()) {
      m_ctx.echo = [this](const Batch& b, process::Stream s, std::string_view line) {
        const std::string prefix = "[sandbox " + std::to_string(b.sandbox) + " batch " + std::to_string(b.id) +
                                   (s == process::Stream::Stderr ? " stderr] " : "] ");
        m_console.echo(prefix, line);
      };
    }
  }

  /// Runs everything; `discover` (when pending) answers while sandboxes work.
  Result<RunOutcome> go(const std::function<Result<std::vector<TestCase>>()>* discover) {
    RunOutcome out;
    const std::size_t expected = m_tests.size();
    m_console.start(expected, sandboxes_for(expected));
    std::vector<std::thread> workers;
    spawn_workers(workers, sandboxes_for(expected));
    if (discover != nullptr) {
      auto found = (*discover)();
      reconcile(found);
      if (!found) {
        join(workers);
        return found.error();
      }
      out.started_early = expected;
      out.withdrawn = m_withdrawn;
      spawn_workers(workers, sandboxes_for(m_order.size()));
      // Every worker may have retired while the answer was pending.
      const std::lock_guard lock(m_mutex);
      if (m_live == 0 && m_scheduler.has_queued()) {
        settle_unrunnable();
      }
    }
    join(workers);
    m_console.finish();
    out.estimated_from_history = m_from_history;
    out.sandboxes = std::max<std::size_t>(1, workers.size());
    out.interrupted = m_interrupt.cancelled();
    const std::string reason = out.interrupted ? "the run was interrupted before it ran"
                               : m_stop_reason.empty() ? "no sandbox was left to run it"
                                                       : m_stop_reason;
    auto records = m_tracker.finish(reason);
    out.records.reserve(m_order.size());
    for (std::size_t t : m_order) {
      out.records.push_back(std::move(records[t]));
    }
    out.strays = std::move(m_strays);
    out.batches = std::move(m_spans);
    out.phases = std::move(m_phases);
    out.wall_secs = now();
    out.batch_overhead_secs = m_scheduler.overhead_secs();
    return out;
  }

private:
  static SchedulerOptions scheduler_options(const std::vector<TestCase>& tests,
                                            const std::vector<config::Group>& groups, const History& history,
                                            const RunOptions& o) {
    SchedulerOptions s;
    if (auto overhead = history.batch_overhead()) {
      s.initial_overhead_secs = *overhead;
    }
    s.sandboxes = o.sandboxes;
    s.policy = o.policy;
    s.hedge = o.hedge;
    if (o.policy == SchedulePolicy::Static) {
      s.static_instances = attempts_allowed(tests, groups);
    }
    return s;
  }

  static std::vector<std::size_t> attempts_allowed(const std::vector<TestCase>& tests,
                                                   const std::vector<config::Group>& groups) {
    std::vector<std::size_t> out;
    out.reserve(tests.size());
    for (const auto& t : tests) {
      out.push_back(static_cast<std::size_t>(groups[t.group].retry_count) + 1);
    }
    return out;
  }

  double now() const { return std::chrono::duration<double>(Clock::now() - m_started).count(); }
  bool stopping() const { return m_interrupt.cancelled() || m_stopped; }

  std::size_t sandboxes_for(std::size_t tests) const {
    return tests == 0 ? 0 : std::min(m_opt.sandboxes, tests);
  }

  /// Starts workers until there are `count` (never fewer than there are).
  void spawn_workers(std::vector<std::thread>& workers, std::size_t count) {
    {
      const std::lock_guard lock(m_mutex);
      if (stopping() || count <= workers.size()) {
        return;
      }
      m_live += count - workers.size();
    }
    for (std::size_t i = workers.size(); i < count; ++i) {
      workers.emplace_back([this, i] { worker(i); });
    }
  }

  static void join(std::vector<std::thread>& workers) {
    for (auto& w : workers) {
      w.join();
    }
  }

  /// Takes discovery's answer: the run's tests become exactly those it
  /// lists, in its order. Expected tests it kept keep their batches.
  void reconcile(const Result<std::vector<TestCase>>& found) {
    const std::lock_guard lock(m_mutex);
    m_pending = false;
    m_cv.notify_all();
    if (!found) {
      m_stopped = true;
      for (std::size_t t : m_scheduler.drain()) {
        m_tracker.withdraw(t);
      }
      for (auto& [id, tok] : m_tokens) {
        tok.cancel();
      }
      return;
    }
    std::unordered_map<std::string_view, std::size_t> expected;
    for (std::size_t t = 0; t < m_tests.size(); ++t) {
      expected.emplace(m_tests[t].id, t);
    }
    std::vector<char> gone(m_tests.size(), 1);
    std::vector<TestCase> fresh;
    m_order.clear();
    for (const TestCase& t : *found) {
      const auto it = expected.find(t.id);
      if (it != expected.end() && m_tests[it->second].group == t.group && gone[it->second]) {
        gone[it->second] = 0;
        m_order.push_back(it->second);
      } else {
        m_order.push_back(m_tests.size() + fresh.size());
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
    m_scheduler.add(scheduler_tests(fresh, m_groups, m_history, !m_framework.has_result_files(), m_from_history));
    const auto allowed = attempts_allowed(fresh, m_groups);
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      m_tracker.add(fresh[i], allowed[i]);
    }
    m_tests.insert(m_tests.end(), std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
    m_round.resize(m_tests.size(), 0);
    // A batch of nothing but dropped tests is not worth finishing.
    for (const auto& [id, taken] : m_taken) {
      if (std::all_of(taken.tests.begin(), taken.tests.end(), [&](std::size_t t) { return gone[t] != 0; })) {
        m_tokens[id].cancel();
      }
    }
    m_console.set_total(m_order.size());
  }

  std::unique_ptr<plugin::Sandbox> create_sandbox(std::size_t index) {
    plugin::SandboxRequest req;
    req.name = "offload-" + m_opt.run_id + "-" + std::to_string(index);
    req.image_id = m_opt.image_id;
    req.env = m_opt.env;
    req.project_root = m_opt.project_root;
    const double begin = now();
    for (int attempt = 1; attempt <= k_create_attempts && !m_interrupt.cancelled(); ++attempt) {
      auto sb = m_provider.create_sandbox(req, m_interrupt);
      if (sb) {
        const std::lock_guard lock(m_mutex);
        m_phases.push_back({"create sandbox", static_cast<long>(index), begin, now()});
        return std::move(*sb);
      }
      bool first_time = false;
      {
        const std::lock_guard lock(m_mutex);
        m_last_sandbox_error = sb.error().message;
        // Sandboxes tend to fail alike; one line per distinct reason is enough.
        first_time = m_create_errors.insert(sb.error().message).second;
      }
      if (first_time) {
        spdlog::warn("{} (retrying up to {} times per sandbox)", sb.error().message, k_create_attempts);
      } else {
        spdlog::debug("{} (attempt {} of {})", sb.error().message, attempt, k_create_attempts);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500 * attempt));
    }
    return nullptr;
  }

  // A worker leaves when the work is done or its sandbox is gone. When the
  // last one leaves with work still queued, nobody can run it, so it is
  // settled now instead of waited for.
  void retire() {
    const std::lock_guard lock(m_mutex);
    // Before discovery answers, queued work may yet be dropped; reconcile()
    // settles what is left then.
    if (--m_live == 0 && !m_pending && m_scheduler.has_queued()) {
      settle_unrunnable();
    }
    m_cv.notify_all();
  }

  void settle_unrunnable() {
    if (stopping()) {
      return;
    }
    m_stop_reason = "no sandbox could be created: " + m_last_sandbox_error;
    for (std::size_t t : m_scheduler.drain()) {
      m_tracker.not_run(t, m_stop_reason);
    }
  }

  void worker(std::size_t index) {
    auto sandbox = create_sandbox(index);
    if (!sandbox) {
      return retire();
    }
    std::size_t infra_in_a_row = 0;
    std::vector<std::string> ids;
    while (true) {
      std::optional<Batch> batch;
      process::CancelToken token;
      {
        std::unique_lock lock(m_mutex);
        while (true) {
          if (stopping() || (m_tracker.all_settled() && !m_pending)) {
            break;
          }
          batch = m_scheduler.take(index, now());
          if (batch || (m_scheduler.in_flight() == 0 && !m_scheduler.has_queued() && !m_pending)) {
            break;
          }
          // Timed, so an interruption is seen even when nobody notifies.
          m_cv.wait_for(lock, std::chrono::milliseconds(100));
        }
        if (!batch) {
          break;
        }
        Taken& taken = m_taken[batch->id];
        taken.tests = batch->tests;
        for (std::size_t t : batch->tests) {
          taken.rounds.push_back(m_round[t]);
        }
        token = m_interrupt.child();
        m_tokens[batch->id] = token;
        ids.clear();
        for (std::size_t t : batch->tests) {
          ids.push_back(m_tests[t].id);
        }
      }
      report::BatchLog log(m_opt.output_dir / "logs", batch->id);
      const BatchReport rep = run_batch(m_ctx, *sandbox, *batch, ids, log, token);
      const report::BatchOutcome outcome = settle(*batch, rep, index);
      log.finish(outcome);
      if (rep.ending == BatchReport::Ending::Infrastructure) {
        if (++infra_in_a_row >= k_infra_failures_before_replacing) {
          spdlog::warn("replacing sandbox {}: {} failures in a row, last: {}", sandbox->id(), infra_in_a_row,
                       rep.problem);
          sandbox.reset();
          sandbox = create_sandbox(index);
          infra_in_a_row = 0;
          if (!sandbox) {
            return retire();
          }
        }
      } else {
        infra_in_a_row = 0;
      }
    }
    retire();
  }

  // Static mode schedules every attempt up front, so each result counts;
  // otherwise a result counts only if no copy of the batch answered first.
  bool accepted(const Batch& b, std::size_t position) const {
    return m_opt.policy == SchedulePolicy::Static ||
           m_taken.at(b.id).rounds[position] == m_round[b.tests[position]];
  }

  void after_verdict(NextStep step, std::size_t test, std::size_t sandbox) {
    if (step == NextStep::Retry && !stopping()) {
      m_scheduler.retry(test, sandbox);
      return;
    }
    if (step == NextStep::Settled && m_opt.fail_fast && m_tracker.record_of(test).verdict == Verdict::Failed &&
        !m_stopped) {
      m_stopped = true;
      m_stop_reason = "not run: --fail-fast stopped the run after " + m_tests[test].id + " failed";
      for (std::size_t t : m_scheduler.drain()) {
        m_tracker.not_run(t, m_stop_reason);
      }
      for (auto& [id, tok] : m_tokens) {
        tok.cancel();
      }
    }
  }

  Attempt attempt_of(AttemptResult result, const Batch& b, std::size_t sandbox, std::string message) const {
    Attempt a;
    a.result = result;
    a.message = std::move(message);
    a.batch = b.id;
    a.sandbox = "sandbox " + std::to_string(sandbox);
    return a;
  }

  report::BatchOutcome settle(const Batch& b, const BatchReport& rep, std::size_t sandbox) {
    std::unique_lock lock(m_mutex);
    // Until discovery answers, a result may belong to a test it no longer lists.
    m_cv.wait(lock, [this] { return !m_pending; });
    report::BatchOutcome outcome = report::BatchOutcome::Success;
    std::vector<std::pair<std::size_t, double>> observed;
    std::map<std::size_t, std::size_t> position;
    for (std::size_t i = 0; i < b.tests.size(); ++i) {
      position[b.tests[i]] = i;
    }
    const bool many = b.tests.size() > 1;

    switch (rep.ending) {
    case BatchReport::Ending::Ran:
      for (const auto& [t, attempt] : rep.results) {
        observed.emplace_back(t, attempt.duration_secs);
        if (!accepted(b, position[t]) || m_tracker.settled(t)) {
          continue;
        }
        ++m_round[t];
        if (attempt.result == AttemptResult::Failed) {
          outcome = report::BatchOutcome::Failure;
        }
        after_verdict(m_tracker.record(t, attempt), t, sandbox);
      }
      for (std::size_t t : rep.missing) {
        if (!accepted(b, position[t]) || m_tracker.settled(t)) {
          continue;
        }
        outcome = report::BatchOutcome::Error;
        if (many) {
          m_scheduler.isolate(t);
        } else if (rep.exit_status != 0) {
          ++m_round[t];
          after_verdict(m_tracker.record(t, attempt_of(AttemptResult::Crashed, b, sandbox,
                                                        "the runner ended (exit status " +
                                                            std::to_string(rep.exit_status) +
                                                            ") without a result for this test")),
                        t, sandbox);
        } else {
          ++m_round[t];
          m_tracker.not_run(t, "ran alone and the runner exited 0, but reported no result for it (" + rep.problem +
                                   "); do the runner's test names match the discovered IDs?");
        }
      }
      m_strays.insert(m_strays.end(), rep.strays.begin(), rep.strays.end());
      break;
    case BatchReport::Ending::TimedOut:
      outcome = report::BatchOutcome::Error;
      for (std::size_t i = 0; i < b.tests.size(); ++i) {
        const std::size_t t = b.tests[i];
        if (!accepted(b, i) || m_tracker.settled(t)) {
          continue;
        }
        if (many) {
          // Re-run each alone, so the one that hangs is singled out.
          m_scheduler.isolate(t);
        } else {
          ++m_round[t];
          Attempt a = attempt_of(AttemptResult::TimedOut, b, sandbox, rep.problem);
          a.duration_secs = rep.wall_secs;
          after_verdict(m_tracker.record(t, std::move(a)), t, sandbox);
        }
      }
      break;
    case BatchReport::Ending::Cancelled:
      outcome = report::BatchOutcome::Cancelled;
      if (!stopping()) {
        // Cancelled because a copy finished first; anything it left open goes back.
        for (std::size_t i = 0; i < b.tests.size(); ++i) {
          if (accepted(b, i) && !m_tracker.settled(b.tests[i]) && m_scheduler.twins(b.id).empty()) {
            m_scheduler.retry(b.tests[i], std::nullopt);
          }
        }
      }
      break;
    case BatchReport::Ending::Infrastructure:
      outcome = report::BatchOutcome::Error;
      spdlog::warn("batch {}: {}", b.id, rep.problem);
      for (std::size_t i = 0; i < b.tests.size(); ++i) {
        const std::size_t t = b.tests[i];
        if (!accepted(b, i) || m_tracker.settled(t)) {
          continue;
        }
        const NextStep step =
            m_tracker.infrastructure(t, attempt_of(AttemptResult::Infrastructure, b, sandbox, rep.problem));
        if (step == NextStep::Retry && !stopping()) {
          m_scheduler.retry(t, sandbox);
        }
      }
      break;
    }

    cancel_finished_twins(b);
    m_scheduler.finished(b, observed, rep.wall_secs);
    m_tokens.erase(b.id);
    m_taken.erase(b.id);
    if (m_tracker.all_settled()) {
      for (auto& [id, tok] : m_tokens) {
        tok.cancel();
      }
    }
    const double end = now();
    m_spans.push_back({b.id, sandbox, std::max(0.0, end - rep.wall_secs), end, outcome, b.tests.size()});
    m_console.progress(m_tracker.counts(), eta());
    m_cv.notify_all();
    return outcome;
  }

  void cancel_finished_twins(const Batch& b) {
    for (std::size_t twin : m_scheduler.twins(b.id)) {
      const auto taken = m_taken.find(twin);
      const auto tok = m_tokens.find(twin);
      if (taken == m_taken.end() || tok == m_tokens.end()) {
        continue;
      }
      // The twin's tests are all answered once every round moved on.
      bool open = false;
      for (std::size_t i = 0; i < taken->second.tests.size(); ++i) {
        open = open || taken->second.rounds[i] == m_round[taken->second.tests[i]];
      }
      if (!open) {
        tok->second.cancel();
      }
    }
  }

  double eta() const {
    const double sandboxes = static_cast<double>(std::max<std::size_t>(1, m_live));
    return m_scheduler.queued_secs() / sandboxes;
  }

  const plugin::Provider& m_provider;
  const plugin::Framework& m_framework;
  std::vector<TestCase> m_tests; ///< grows only under m_mutex
  const std::vector<config::Group>& m_groups;
  const History& m_history;
  const RunOptions& m_opt;
  process::CancelToken m_interrupt;
  report::Console& m_console;
  Clock::time_point m_started;
  std::size_t m_from_history = 0;
  BatchContext m_ctx;

  std::mutex m_mutex;
  std::condition_variable m_cv;
  Scheduler m_scheduler;
  Tracker m_tracker;
  /// Per test: how many results were taken. A result counts only when the
  /// batch saw the same round, so the slower of two copies changes nothing.
  std::vector<uint32_t> m_round;
  struct Taken {
    std::vector<std::size_t> tests;
    std::vector<uint32_t> rounds; ///< m_round of each test when the batch was taken
  };
  std::map<std::size_t, Taken> m_taken;
  std::map<std::size_t, process::CancelToken> m_tokens;
  std::size_t m_live = 0;
  /// Discovery has not answered yet: results wait, workers do not leave.
  bool m_pending = false;
  /// Tests in discovery's order (indices into m_tests).
  std::vector<std::size_t> m_order;
  std::size_t m_withdrawn = 0;
  bool m_stopped = false;
  std::string m_stop_reason;
  std::string m_last_sandbox_error;
  std::set<std::string> m_create_errors;
  std::vector<StrayResult> m_strays;
  std::vector<report::BatchSpan> m_spans;
  std::vector<report::PhaseSpan> m_phases;
};

} // namespace

Result<RunOutcome> orchestrate(const plugin::Provider& provider, const plugin::Framework& framework,
                               TestSource source, const std::vector<config::Group>& groups,
                               const History& history, const RunOptions& options,
                               const process::CancelToken& interrupt, report::Console& console) {
  // Static mode plans every attempt up front, which a late answer would undo.
  if (source.expected.empty() || options.policy == SchedulePolicy::Static) {
    auto tests = source.discover();
    if (!tests) {
      return tests.error();
    }
    Run run(provider, framework, std::move(*tests), false, groups, history, options, interrupt, console);
    return run.go(nullptr);
  }
  Run run(provider, framework, std::move(source.expected), true, groups, history, options, interrupt, console);
  return run.go(&source.discover);
}

} // namespace offload::engine
