// SPDX-License-Identifier: MIT
#include "engine/thread_executor.hpp"

#include <spdlog/spdlog.h>

#include "engine/worker_protocol.hpp"
#include "engine/worker_session.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <variant>

namespace offload::engine {
namespace {

constexpr int k_create_attempts = 3;

std::string what_of(std::exception_ptr ex) {
  try {
    std::rethrow_exception(std::move(ex));
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an unknown exception";
  }
}

struct OpenOrder {};
struct RunOrder {
  Batch batch;
  std::vector<std::string> ids;
  process::CancelToken cancel;
};
struct WorkerOrder {
  std::vector<std::string> first;
  process::UniqueFd stdin_fd;
  process::CancelToken cancel;
};
struct CloseOrder {};
using Order = std::variant<OpenOrder, RunOrder, WorkerOrder, CloseOrder>;

} // namespace

/// One sandbox and the thread that drives it, taking orders in turn.
class ThreadExecutor::Slot {
public:
  Slot(ThreadExecutor& exec, std::size_t index) : m_exec(exec), m_index(index), m_thread([this] { loop(); }) {}

  ~Slot() {
    give(CloseOrder{});
    m_thread.join();
  }

  void give(Order order) {
    {
      const std::lock_guard lock(m_mutex);
      m_orders.push_back(std::move(order));
    }
    m_cv.notify_one();
  }

private:
  Order take() {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [this] { return !m_orders.empty(); });
    Order o = std::move(m_orders.front());
    m_orders.pop_front();
    return o;
  }

  void loop() {
    while (true) {
      Order order = take();
      if (std::holds_alternative<CloseOrder>(order)) {
        destroy();
        return;
      }
      if (auto* run = std::get_if<RunOrder>(&order)) {
        run_batch_order(*run);
      } else if (auto* worker = std::get_if<WorkerOrder>(&order)) {
        run_worker_order(*worker);
      } else {
        destroy();
        create();
      }
    }
  }

  void destroy() {
    try {
      m_sandbox.reset();
    } catch (...) {
      spdlog::warn("sandbox {}: destroying it failed: {}", m_index, what_of(std::current_exception()));
    }
  }

  void create() {
    const SandboxSetup& s = m_exec.m_setup;
    const double began = m_exec.now();
    plugin::SandboxRequest req;
    req.name = "offload-" + s.run_id + "-" + std::to_string(m_index) +
               (m_generation > 0 ? "-" + std::to_string(m_generation) : "");
    ++m_generation;
    req.image_id = s.image_id;
    req.env = s.env;
    req.project_root = s.project_root;
    Error last;
    for (int attempt = 1; attempt <= k_create_attempts && !s.interrupt.cancelled(); ++attempt) {
      try {
        auto sb = s.provider->create_sandbox(req, s.interrupt);
        if (sb) {
          m_sandbox = std::move(*sb);
          m_exec.post(SandboxReady{m_index, began});
          return;
        }
        last = sb.error();
      } catch (...) {
        last = make_error("creating sandbox ", std::to_string(m_index), ": internal error: ",
                          what_of(std::current_exception()));
      }
      if (!plugin::worth_retrying(last)) {
        break;
      }
      spdlog::debug("{} (attempt {} of {})", last.message, attempt, k_create_attempts);
      // Back off, but stay responsive to Ctrl-C.
      for (int i = 0; i < 10 * attempt && !s.interrupt.cancelled(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    if (last.message.empty()) {
      last = make_error("creating sandbox ", std::to_string(m_index), ": interrupted");
    }
    m_exec.post(SandboxLost{m_index, std::move(last)});
  }

  void run_batch_order(RunOrder& order) {
    const SandboxSetup& s = m_exec.m_setup;
    BatchDone done;
    done.slot = m_index;
    done.batch = order.batch;
    try {
      if (!m_sandbox) {
        throw std::logic_error("no sandbox to run it on");
      }
      done.log = std::make_unique<report::BatchLog>(s.logs_dir, order.batch.id);
      process::LineHandler forward;
      if (s.forward_output) {
        forward = [this, id = order.batch.id](process::Stream stream, std::string_view line) {
          m_exec.post(OutputLine{m_index, id,
                                 stream == process::Stream::Stderr ? OutputStream::Stderr : OutputStream::Stdout,
                                 std::string(line)});
        };
      }
      done.report = run_batch(s.batch, *m_sandbox, order.batch, order.ids, *done.log, forward, order.cancel);
    } catch (...) {
      done.report = BatchReport{};
      done.report.ending = BatchReport::Ending::Infrastructure;
      done.report.problem = "internal error while running batch " + std::to_string(order.batch.id) + ": " +
                            what_of(std::current_exception());
    }
    m_exec.post(std::move(done));
  }

  void run_worker_order(WorkerOrder& order) {
    const SandboxSetup& s = m_exec.m_setup;
    const auto post = [this](Event e) { m_exec.post(std::move(e)); };
    try {
      if (!m_sandbox) {
        throw std::logic_error("no sandbox to run it in");
      }
      WorkerRun run;
      run.framework = s.batch.framework;
      run.sandbox = m_sandbox.get();
      run.slot = m_index;
      run.first = std::move(order.first);
      run.fail_fast = s.batch.fail_fast;
      run.stdin_fd = order.stdin_fd.get();
      run.log_path = s.logs_dir / ("worker-" + std::to_string(m_index) + "-" + std::to_string(++m_workers));
      run.forward_output = s.forward_output;
      run.cancel = order.cancel;
      run_worker(run, post);
    } catch (...) {
      post(WorkerEnded{m_index, -1, false, "internal error running the worker: " + what_of(std::current_exception())});
    }
  }

  ThreadExecutor& m_exec;
  std::size_t m_index;
  std::size_t m_workers = 0;
  std::size_t m_generation = 0;
  std::unique_ptr<plugin::Sandbox> m_sandbox;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<Order> m_orders;
  std::thread m_thread; ///< last: starts once everything it uses exists
};

ThreadExecutor::ThreadExecutor(SandboxSetup setup)
    : m_setup(std::move(setup)), m_started(std::chrono::steady_clock::now()) {}

ThreadExecutor::~ThreadExecutor() {
  // Every slot destroys its sandbox at once; then each thread is joined.
  for (auto& s : m_slots) {
    s->give(CloseOrder{});
  }
  m_slots.clear();
}

ThreadExecutor::Slot& ThreadExecutor::slot(std::size_t index) {
  while (m_slots.size() <= index) {
    m_slots.push_back(std::make_unique<Slot>(*this, m_slots.size()));
  }
  return *m_slots[index];
}

double ThreadExecutor::now() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
}

void ThreadExecutor::open(std::size_t index) { slot(index).give(OpenOrder{}); }

void ThreadExecutor::replace(std::size_t index) { slot(index).give(OpenOrder{}); }

void ThreadExecutor::start(const Batch& batch, std::vector<std::string> ids) {
  process::CancelToken token = m_setup.interrupt.child();
  m_tokens[batch.id] = token;
  slot(batch.sandbox).give(RunOrder{batch, std::move(ids), std::move(token)});
}

void ThreadExecutor::cancel(std::size_t batch) {
  if (auto it = m_tokens.find(batch); it != m_tokens.end()) {
    it->second.cancel();
  }
}

void ThreadExecutor::close(std::size_t index) { slot(index).give(CloseOrder{}); }

void ThreadExecutor::start_worker(std::size_t index, const std::vector<std::string>& first) {
  int fds[2] = {-1, -1};
  // A socket, not a pipe: writing to a worker that died must fail with
  // EPIPE (MSG_NOSIGNAL), never raise SIGPIPE in offload.
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    post(WorkerEnded{index, -1, false, std::string("cannot make the worker's stdin: ") + std::strerror(errno)});
    return;
  }
  WorkerPipe& pipe = m_workers[index];
  pipe.to_worker.reset(fds[0]);
  pipe.cancel = m_setup.interrupt.child();
  slot(index).give(WorkerOrder{first, process::UniqueFd(fds[1]), pipe.cancel});
}

void ThreadExecutor::send(std::size_t index, const std::string& bytes) {
  const auto it = m_workers.find(index);
  if (it == m_workers.end() || !it->second.to_worker) {
    return;
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(it->second.to_worker.get(), bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      // The worker is gone; its WorkerEnded says what became of its tests.
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

void ThreadExecutor::feed(std::size_t index, const std::vector<std::string>& ids) {
  send(index, worker::run_request(ids));
}

void ThreadExecutor::collect(std::size_t index, const std::vector<std::string>& files) {
  send(index, worker::collect_request(files));
}

void ThreadExecutor::finish_worker(std::size_t index) {
  send(index, worker::stop_request());
  if (const auto it = m_workers.find(index); it != m_workers.end() && it->second.to_worker) {
    ::shutdown(it->second.to_worker.get(), SHUT_WR);
  }
}

void ThreadExecutor::kill_worker(std::size_t index) {
  if (const auto it = m_workers.find(index); it != m_workers.end()) {
    it->second.cancel.cancel();
  }
}

Event ThreadExecutor::next(double max_wait_secs) {
  if (m_setup.interrupt.cancelled() && !m_interrupt_told) {
    m_interrupt_told = true;
    return Interrupted{};
  }
  auto event = m_events.pop(std::chrono::milliseconds(static_cast<long>(max_wait_secs * 1000.0)));
  if (!event) {
    return Tick{};
  }
  if (const auto* done = std::get_if<BatchDone>(&*event)) {
    m_tokens.erase(done->batch.id);
  } else if (const auto* ended = std::get_if<WorkerEnded>(&*event)) {
    m_workers.erase(ended->slot);
  }
  return std::move(*event);
}

} // namespace offload::engine
