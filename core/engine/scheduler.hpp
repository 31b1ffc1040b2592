// SPDX-License-Identifier: MIT
#pragma once

#include "engine/file_queue.hpp"

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace offload::engine {

/// What the scheduler knows of one test.
struct SchedTest {
  std::size_t group = 0;
  std::size_t id_chars = 0;          ///< length of the test ID on a command line
  std::optional<double> known_secs;  ///< from history; nullopt = estimate from the group
  bool alone = false;                ///< its group asks for one test per batch
  bool no_hedge = false;             ///< its group must never run two copies at once
  /// Tests of one file share collection and module set-up in a batch; the
  /// first round keeps them together where balance allows. k_no_file = none.
  std::size_t file = k_no_file;
  static constexpr std::size_t k_no_file = static_cast<std::size_t>(-1);
};

enum class SchedulePolicy {
  Dynamic, ///< shared longest-first queue, shrinking batches, retries on demand
  Static,  ///< one LPT batch per sandbox, retries as parallel instances (the seeds' policy)
};

struct SchedulerOptions {
  std::size_t sandboxes = 1;
  SchedulePolicy policy = SchedulePolicy::Dynamic;
  /// Characters of test IDs one command line may carry.
  std::size_t max_command_chars = 30000;
  /// Duplicate in-flight batches on idle sandboxes when nothing is queued.
  bool hedge = true;
  /// A batch takes this fraction of the requesting sandbox's fair share of
  /// the work left (queued plus still running): a large first round, then
  /// ever smaller top-ups that even out the finish.
  double share_per_batch = 0.9;
  /// A batch should be worth at least this many batch start-up costs (as far
  /// as the fair share allows).
  double min_batch_overheads = 2.0;
  /// Used before any test ran; replaced by what runs show.
  double default_test_secs = 1.0;
  double initial_overhead_secs = 0.5;
  /// Tests per batch at most; 0 = no limit. Persistent workers take one
  /// test at a time (no first round is planned then): every test is its
  /// own unit of work stealing.
  std::size_t max_batch_tests = 0;
  /// Persistent workers: every take is one test, and a file's tests stream
  /// to one sandbox in discovery order (FileQueue) instead of longest first.
  bool stream_by_file = false;
  /// Attempts per test in static mode (retry_count + 1), indexed by test.
  std::vector<std::size_t> static_instances;
};

/// A unit of work handed to one sandbox.
struct Batch {
  std::size_t id = 0;
  std::size_t sandbox = 0;
  std::vector<std::size_t> tests; ///< indices into the scheduler's tests
  double estimate_secs = 0.0;     ///< expected run time, start-up included
  double start = 0.0;             ///< clock value when taken
  /// For a hedged copy, the batch it duplicates.
  std::optional<std::size_t> duplicate_of;
  /// Tests run alone to single out a hang or a crash.
  bool isolation = false;
};

/// Decides which tests run where and in which batches. It owns no threads
/// and no clock: callers pass the time, so the same code runs a real run and
/// a simulated one. Not thread-safe: only the run loop calls it.
class Scheduler {
public:
  Scheduler(std::vector<SchedTest> tests, SchedulerOptions options);

  /// Work for an idle sandbox at time `now`, or nullopt when there is none
  /// for it right now (there may be later, when running batches finish).
  /// `fallback`: a retry may go to the sandbox it failed on (no other
  /// sandbox is idle to take it).
  std::optional<Batch> take(std::size_t sandbox, double now, bool fallback = true);

  /// A batch (or its duplicate) finished; `observed` holds the measured
  /// duration of each test that reported one, `wall_secs` the batch's time.
  void finished(const Batch& batch, const std::vector<std::pair<std::size_t, double>>& observed,
                double wall_secs);

  /// Puts a failed test back at the front, preferably not on `avoid`.
  void retry(std::size_t test, std::optional<std::size_t> avoid);
  /// Queues a test to run alone (after a timeout or a missing result).
  void isolate(std::size_t test);
  /// Drops every queued test (fail-fast, interruption); returns them.
  std::vector<std::size_t> drain();
  /// Tests discovered after the scheduler was built; they are queued and
  /// numbered from the current size on. Returns the first new index.
  /// `reserve_for` (streaming by file): their files are kept for the
  /// sandbox that collected them.
  std::size_t add(const std::vector<SchedTest>& tests, std::optional<std::size_t> reserve_for = std::nullopt);
  /// `sandbox` is gone: files kept for it are anybody's.
  void release(std::size_t sandbox) { m_files.release(sandbox); }
  /// Forgets the queued copies of every test with `gone[test]` set (tests
  /// the run started from that discovery no longer lists).
  void withdraw(const std::vector<char>& gone);

  bool has_queued() const;
  /// Whether `sandbox` could take work now without stealing or taking a
  /// file kept for another sandbox.
  bool has_work_for(std::size_t sandbox) const;
  std::size_t in_flight() const { return m_running.size(); }
  /// Running batches that are copies of `batch` or that `batch` copies.
  std::vector<std::size_t> twins(std::size_t batch) const;

  double estimate(std::size_t test) const;
  double overhead_secs() const { return m_overhead; }
  /// Estimated work still queued, in seconds.
  double queued_secs() const;

private:
  struct FrontItem {
    std::size_t test;
    std::optional<std::size_t> avoid;
    bool alone;
  };
  struct Running {
    Batch batch;
    bool duplicated = false;
    bool no_hedge = false;
    double known_secs = 0.0; ///< start-up plus the tests whose durations were known
    /// (group, tests) of unknown duration: their estimate follows the
    /// group's mean, which the first results of a cold run move a lot.
    std::vector<std::pair<std::size_t, std::size_t>> unknown;
  };
  /// What a running batch is expected to take, with today's estimates.
  double expected_secs(const Running& r) const;

  std::optional<Batch> take_front(std::size_t sandbox, bool allow_avoided);
  std::optional<Batch> take_dynamic(std::size_t sandbox);
  void queue(const std::vector<std::size_t>& tests, std::optional<std::size_t> reserve_for = std::nullopt);
  FileQueue::Estimate estimator() const {
    return [this](std::size_t t) { return estimate(t); };
  }
  std::optional<Batch> take_hedge(std::size_t sandbox, double now);
  void build_static_batches();
  void plan_first_round();
  bool full(const std::vector<std::size_t>& tests) const {
    return m_opt.max_batch_tests > 0 && tests.size() >= m_opt.max_batch_tests;
  }
  /// Stable, so equal estimates keep discovery's order.
  void sort_longest_first(std::deque<std::size_t>& tests) const;
  /// The fullest bin of an LPT plan of the queue on `bins` sandboxes.
  double lpt_makespan(std::size_t bins) const;
  double fair_share_secs() const;
  double target_secs() const;
  double group_default(std::size_t group) const;
  Batch start(std::size_t sandbox, std::vector<std::size_t> tests, double now, bool isolation);

  /// Keeps queued_secs() O(groups): the known durations of queued tests are
  /// summed, unknown ones counted per group (their estimate moves with the
  /// group's mean).
  void account(std::size_t test, int delta);
  void set_known(std::size_t test, double secs);

  std::vector<SchedTest> m_tests;
  std::vector<uint32_t> m_queued_copies; ///< per test: entries in m_queue/m_front
  double m_queued_known_secs = 0.0;
  std::vector<std::size_t> m_queued_unknown; ///< per group
  SchedulerOptions m_opt;
  std::deque<FrontItem> m_front;
  std::deque<std::size_t> m_queue;             ///< longest first
  FileQueue m_files;                           ///< instead of m_queue when streaming by file
  std::deque<std::vector<std::size_t>> m_static; ///< static mode's prepared batches
  /// Dynamic mode's first round, one batch per sandbox, balanced like LPT so
  /// long and short tests mix (a batch of only short tests pays more
  /// per-test cost than its estimate says).
  std::deque<std::vector<std::size_t>> m_first_round;
  std::map<std::size_t, Running> m_running;
  double m_now = 0.0;             ///< the latest time a caller passed
  std::size_t m_next_id = 1;
  double m_overhead;
  // Running means per group, so unknown tests are estimated from their peers.
  std::vector<double> m_group_sum;
  std::vector<std::size_t> m_group_count;
};

} // namespace offload::engine
