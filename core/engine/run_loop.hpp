// SPDX-License-Identifier: MIT
#pragma once

#include "config/config.hpp"
#include "engine/executor.hpp"
#include "engine/history.hpp"
#include "engine/judge.hpp"
#include "engine/run_types.hpp"
#include "engine/scheduler.hpp"
#include "engine/tracker.hpp"
#include "model/observer.hpp"

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace offload::engine {

/// What a run starts from.
struct RunInputs {
  std::vector<TestCase> tests;
  /// `tests` are the last run's list: a DiscoveryDone event will say which
  /// of them still exist (and which are new); until then no result counts.
  bool pending = false;
  const std::vector<config::Group>* groups = nullptr;
  const History* history = nullptr;
  RunOptions options;
  /// The framework has no result files: every test runs alone and its
  /// command's exit status is its verdict.
  bool exit_code_mode = false;
  std::set<int> benign_exit_statuses;
  /// Each sandbox runs one persistent worker fed test by test, instead of
  /// a command per batch (the framework and provider both support it).
  bool workers = false;
  /// A test running longer in a worker is killed with its worker.
  double per_test_timeout_secs = 300.0;
  /// Worker discovery: discovery lists files only (now in `listing`, or
  /// later as the DiscoveryDone answer) and the workers' collection of
  /// each file (FileCollected) lists its tests. Implies `pending`.
  bool worker_discovery = false;
  std::vector<TestCase> listing; ///< file records (empty `id`), in order
};

/// The run: one loop on one thread that owns the Scheduler, the Tracker and
/// every decision. It gives the executor orders and handles the events that
/// answer them; nothing here is shared, so nothing is locked.
class RunLoop {
public:
  RunLoop(Executor& executor, RunObserver& observer, RunInputs inputs);

  /// Runs until every test has its verdict, the run was interrupted, or
  /// --fail-fast stopped it; every sandbox is closed by then. Fails only
  /// when discovery answered with an error.
  Result<RunOutcome> run();

private:
  enum class SlotState { Opening, Idle, Busy, Lost, Closed };
  enum class WorkerState { None, Starting, Ready, Finishing };
  /// A test handed to a slot's worker, not answered yet.
  struct Sent {
    std::size_t test = 0;
    std::size_t chunk = 0; ///< the scheduler's batch it came in
    bool started = false;
  };
  struct Slot {
    SlotState state = SlotState::Opening;
    std::size_t infra_in_a_row = 0;
    // Persistent-worker mode only.
    WorkerState worker = WorkerState::None;
    std::deque<Sent> sent;         ///< in the order the worker runs them
    bool fresh = true;             ///< this worker process has run no test yet
    bool alone = false;            ///< it runs one test alone (an isolation re-run)
    bool timed_out = false;        ///< we killed it: its running test ran over
    bool any_started = false;      ///< this worker process began a test
    bool start_timed_out = false;  ///< we killed it: it never got ready
    bool went_quiet = false;       ///< we killed it: given tests, it said nothing for per_test_timeout_secs
    /// Its last event (ready, start, result), or when it was given a test
    /// while idle; while a test runs, that test's start.
    double quiet_since = 0.0;
    bool kill_sent = false;        ///< kill_worker was called for this process
    std::optional<Batch> isolation; ///< waits for a fresh worker
    std::optional<Batch> first;     ///< taken at its start, fed once it is ready
    std::size_t failed_starts = 0; ///< worker ends in a row without a result
    double session_began = 0.0;
    std::size_t session_tests = 0;
  };
  /// A scheduler batch fed to a worker, until each of its tests answered.
  struct Chunk {
    Batch batch;
    std::size_t open = 0;
    std::vector<std::pair<std::size_t, double>> observed;
  };
  struct Running {
    std::vector<std::size_t> tests;
    std::vector<uint32_t> rounds; ///< each test's round when the batch started
  };

  struct Ended {
    BatchDone done;
    std::vector<std::size_t> twins; ///< copies of it (or its original) running when it ended
  };
  /// Worker discovery's bookkeeping (run_collect.cpp).
  struct Collecting {
    bool active = false;
    bool listed = false;                 ///< the file listing arrived
    std::vector<std::string> files;      ///< the listing, in order
    std::unordered_set<std::string> listed_files; ///< the same files
    std::size_t remaining = 0;           ///< listed files no worker reported yet
    /// Reported files: their tests in collection order.
    std::unordered_map<std::string, std::vector<std::size_t>> collected;
    /// Listed files that no worker was asked to collect and that no queued
    /// test will make one collect.
    std::deque<std::string> uncollected;
    /// Per slot: files its worker was asked to collect, not reported yet.
    std::map<std::size_t, std::vector<std::string>> asked;
  };

  void handle(Event& event);
  void on_ready(const SandboxReady& e);
  void on_lost(const SandboxLost& e);
  void on_batch(BatchDone& e);
  void on_discovery(DiscoveryDone& e);
  void fail_discovery(Error error);
  void on_interrupt();

  void dispatch();
  /// `fallback`: a retry may go back to the sandbox it failed on.
  void dispatch_batch(std::size_t slot, bool fallback);

  // Persistent workers (run_workers.cpp).
  void dispatch_worker(std::size_t slot);
  void feed(std::size_t slot, const Batch& chunk);
  void on_worker_ready(const WorkerReady& e);
  void on_test_started(const TestStarted& e);
  void on_test_finished(TestFinished& e);
  void on_worker_ended(const WorkerEnded& e);

  // Worker discovery (run_collect.cpp).
  void start_listing(const std::vector<TestCase>& files);
  void on_file_collected(FileCollected& e);
  /// Ends the pending state once every listed file was reported (or the
  /// run stops): the run's tests are then exactly what the workers listed.
  void settle_listing();
  bool confirmed(std::size_t test) const;
  /// Listed files still unreported while nothing runs or is queued (their
  /// tests ran without a report): they are asked for.
  void ask_for_unreported();
  /// No sandbox is left to collect the files still unreported.
  void abandon_collection();
  /// Whether slot should collect a file rather than take (or steal) a test.
  bool wants_to_collect(std::size_t slot) const;
  /// Asks slot's running worker to collect the next unasked file.
  void ask_to_collect(std::size_t slot);
  /// The next unasked file, now owed by slot's worker.
  std::string next_to_collect(std::size_t slot);
  /// Whether slot's worker was asked for files it has not reported yet.
  bool owes_collection(std::size_t slot) const;
  /// Files slot's worker owed go back to be asked of another.
  void forget_asked(std::size_t slot);
  void add_tests(std::vector<TestCase> fresh, std::optional<std::size_t> reserve_for);
  void withdraw_tests(const std::vector<std::size_t>& tests);
  void give_back(std::optional<Batch>& chunk, bool alone);
  void close_chunk_test(std::size_t chunk, std::optional<std::pair<std::size_t, double>> observed);
  void check_test_timeouts();
  bool counts(const Sent& sent) const;
  bool work_may_come() const;
  void judge_batch(Ended& ended);
  void apply(const Action& action, std::size_t slot);
  void tell_ended(std::size_t test, std::size_t slot, bool ran);
  /// apply, or, while discovery has not answered, keep a verdict for later.
  void act(Action action, std::size_t slot);
  void after_verdict(NextStep step, std::size_t test, std::size_t slot);
  void cancel_finished_twins(const std::vector<std::size_t>& twins);
  void cancel_running();
  void stop_with(std::string reason);
  void settle_unrunnable();
  void open_slots(std::size_t count);
  void close_slot(std::size_t slot);
  void reconcile(const std::vector<TestCase>& found);

  bool accepted(const Batch& batch, std::size_t position) const;
  bool stopping() const { return m_interrupted || m_stopped; }
  bool finished() const;
  std::size_t live_slots() const;
  std::size_t sandboxes_for(std::size_t tests) const;
  std::vector<SchedTest> scheduler_tests(const std::vector<TestCase>& tests);
  std::vector<std::size_t> attempts_allowed(const std::vector<TestCase>& tests) const;
  SchedulerOptions scheduler_options();

  Executor& m_exec;
  RunObserver& m_observer;
  RunInputs m_in;
  std::size_t m_from_history = 0;
  std::unordered_map<std::string, std::size_t> m_file_ids;
  Scheduler m_scheduler;
  Tracker m_tracker;
  /// Per test: how many results were taken. A result counts only when its
  /// batch saw the same round, so the slower of two copies changes nothing.
  std::vector<uint32_t> m_round;
  std::map<std::size_t, Running> m_running;
  std::map<std::size_t, Chunk> m_chunks;
  std::vector<Slot> m_slots;
  /// Batches that ended before discovery answered, judged once it has.
  std::vector<Ended> m_deferred;
  /// Workers' verdicts that came before discovery answered.
  std::vector<std::pair<Action, std::size_t>> m_deferred_actions;
  /// Tests in discovery's order (indices into m_in.tests).
  std::vector<std::size_t> m_order;
  Collecting m_collect;
  /// Worker discovery: every test by ID and by file.
  std::unordered_map<std::string, std::size_t> m_index;
  std::unordered_map<std::string, std::vector<std::size_t>> m_tests_of_file;
  std::size_t m_started_early = 0;
  std::size_t m_withdrawn = 0;
  bool m_interrupted = false;
  bool m_stopped = false;
  std::optional<Error> m_discovery_error;
  std::string m_stop_reason;
  std::string m_last_sandbox_error;
  std::set<std::string> m_sandbox_errors;
  RunOutcome m_out;
};

} // namespace offload::engine
