// SPDX-License-Identifier: MIT
#pragma once

#include "engine/batch_runner.hpp"
#include "engine/event_queue.hpp"
#include "engine/executor.hpp"
#include "plugin/instance.hpp"
#include "process/cancel.hpp"
#include "process/unique_fd.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace offload::engine {

/// What every sandbox of a real run is made from.
struct SandboxSetup {
  const plugin::Provider* provider = nullptr;
  std::string run_id;
  std::optional<std::string> image_id;
  std::map<std::string, std::string> env;
  std::optional<std::string> project_root;
  BatchContext batch;
  std::filesystem::path logs_dir;
  /// Post every output line as an event (for -v), not only to the logs.
  bool forward_output = false;
  /// Ctrl-C: every creation and batch stops; next() reports it once.
  process::CancelToken interrupt;
};

/// The executor of a real run: one thread per sandbox slot, which creates
/// the sandbox through the provider, runs the batches it is sent and
/// destroys the sandbox when closed. Threads only execute; everything they
/// learn goes to the loop as events. Nothing a plugin or a thread throws
/// escapes: it becomes a lost sandbox or an infrastructure failure.
class ThreadExecutor final : public Executor {
public:
  explicit ThreadExecutor(SandboxSetup setup);
  /// Closes every slot (destroying its sandbox) and joins the threads.
  ~ThreadExecutor() override;
  ThreadExecutor(const ThreadExecutor&) = delete;
  ThreadExecutor& operator=(const ThreadExecutor&) = delete;

  double now() const override;
  void open(std::size_t slot) override;
  void replace(std::size_t slot) override;
  void start(const Batch& batch, std::vector<std::string> ids) override;
  void cancel(std::size_t batch) override;
  void close(std::size_t slot) override;
  Event next(double max_wait_secs) override;
  void start_worker(std::size_t slot, const std::vector<std::string>& first) override;
  void feed(std::size_t slot, const std::vector<std::string>& ids) override;
  void collect(std::size_t slot, const std::vector<std::string>& files) override;
  void finish_worker(std::size_t slot) override;
  void kill_worker(std::size_t slot) override;

  /// For work outside the executor (discovery) to answer the loop.
  void post(Event event) { m_events.push(std::move(event)); }

private:
  class Slot;

  Slot& slot(std::size_t index);
  void send(std::size_t slot, const std::string& bytes);

  /// The loop's end of a live worker's stdin, and what kills the worker.
  struct WorkerPipe {
    process::UniqueFd to_worker;
    process::CancelToken cancel;
  };

  SandboxSetup m_setup;
  std::chrono::steady_clock::time_point m_started;
  EventQueue m_events;
  std::vector<std::unique_ptr<Slot>> m_slots;
  std::map<std::size_t, process::CancelToken> m_tokens; ///< running batches; loop thread only
  std::map<std::size_t, WorkerPipe> m_workers;           ///< by slot; loop thread only
  bool m_interrupt_told = false;
};

} // namespace offload::engine
