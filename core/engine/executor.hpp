// SPDX-License-Identifier: MIT
#pragma once

#include "engine/events.hpp"
#include "engine/scheduler.hpp"

#include <string>
#include <vector>

namespace offload::engine {

/// Where a run's work happens: sandboxes that are created, run batches and
/// go away. The run's loop gives orders and reads events; it never waits
/// for anything else. Every order is answered by an event, except close.
/// A real run uses threads and plugins (ThreadExecutor); the engine's
/// tests use a simulation on a virtual clock.
class Executor {
public:
  virtual ~Executor() = default;

  /// Seconds since the run started.
  virtual double now() const = 0;
  /// Creates sandbox `slot`: answers SandboxReady or SandboxLost.
  virtual void open(std::size_t slot) = 0;
  /// Destroys slot's sandbox and creates another: answers like open.
  virtual void replace(std::size_t slot) = 0;
  /// Runs `batch` on sandbox `batch.sandbox`: answers BatchDone. `ids[i]`
  /// is the ID of `batch.tests[i]`.
  virtual void start(const Batch& batch, std::vector<std::string> ids) = 0;
  /// Stops a running batch early; its BatchDone still comes (Cancelled).
  virtual void cancel(std::size_t batch) = 0;
  /// Slot's sandbox is not needed any more: it is destroyed. No answer.
  virtual void close(std::size_t slot) = 0;
  /// The next event, waiting at most `max_wait_secs` for one (Tick if none).
  virtual Event next(double max_wait_secs) = 0;

  // Persistent workers (docs/worker-protocol.md): one long-lived runner per
  // sandbox that is fed tests one request at a time.

  /// Starts slot's worker; `first` are the tests it will probably get
  /// first (what to collect). Answers WorkerReady, then TestStarted and
  /// TestFinished per test it is fed, and finally WorkerEnded.
  virtual void start_worker(std::size_t slot, const std::vector<std::string>& first) = 0;
  /// Hands tests to slot's worker, to run in this order after what it has.
  virtual void feed(std::size_t slot, const std::vector<std::string>& ids) = 0;
  /// Asks slot's worker to collect `files` (worker discovery): answers a
  /// FileCollected per file, before any later TestStarted.
  virtual void collect(std::size_t slot, const std::vector<std::string>& files) = 0;
  /// Nothing more for slot's worker: it runs what it has and exits.
  virtual void finish_worker(std::size_t slot) = 0;
  /// Kills slot's worker at once (its test ran over the timeout).
  virtual void kill_worker(std::size_t slot) = 0;
};

} // namespace offload::engine
