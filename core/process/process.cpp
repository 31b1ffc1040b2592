// SPDX-License-Identifier: MIT
#include "process/process.hpp"

#include "process/line_reader.hpp"
#include "process/unique_fd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>

extern char** environ;

namespace offload::process {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t k_io_chunk = std::size_t{64} << 10;
constexpr int k_tick_ms = 50; // how often timeout and cancellation are checked

std::atomic<bool> g_hurry{false};

bool hurrying() noexcept {
  return g_hurry.load(std::memory_order_relaxed);
}

std::string errno_text(int err) {
  char buf[256];
  return strerror_r(err, buf, sizeof buf); // the GNU variant: thread-safe, returns the text
}

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return make_error("cannot create a pipe: ", errno_text(errno));
  }
  Pipe pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
  // Kept above 2 so the child's dup2() onto 0-2 cannot overwrite one of its
  // other pipe ends when the host runs with its stdio closed.
  for (UniqueFd* end : {&pipe.read_end, &pipe.write_end}) {
    if (end->get() <= 2) {
      end->reset(fcntl(end->get(), F_DUPFD_CLOEXEC, 3));
      if (!*end) {
        return make_error("cannot move a pipe above stdio: ", errno_text(errno));
      }
    }
  }
  return pipe;
}

/// argv and environment as execve() wants them, built before fork() because
/// the child of a multi-threaded process must not allocate.
struct ExecPlan {
  std::vector<char*> argv;
  std::vector<std::string> env_entries;
  std::vector<char*> envp;
};

ExecPlan make_plan(const Spec& spec) {
  ExecPlan plan;
  for (const std::string& arg : spec.argv) {
    plan.argv.push_back(const_cast<char*>(arg.c_str())); // exec does not write to them
  }
  plan.argv.push_back(nullptr);
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!spec.env.contains(std::string(text.substr(0, text.find('='))))) {
      plan.env_entries.emplace_back(text);
    }
  }
  for (const auto& [key, value] : spec.env) {
    plan.env_entries.push_back(key + "=" + value);
  }
  for (std::string& entry : plan.env_entries) {
    plan.envp.push_back(entry.data());
  }
  plan.envp.push_back(nullptr);
  return plan;
}

enum class Stage : int { Setup, Chdir, Exec };

/// What the child writes to the report pipe when it cannot exec.
struct ChildFailure {
  Stage stage;
  int err;
};

[[noreturn]] void fail_in_child(int report_fd, Stage stage) {
  const ChildFailure failure{stage, errno};
  [[maybe_unused]] const ssize_t n = write(report_fd, &failure, sizeof failure);
  _exit(127);
}

/// Runs in the forked child: async-signal-safe calls only. `in_fd` < 0
/// means /dev/null.
[[noreturn]] void exec_child(const Spec& spec, ExecPlan& plan, int in_fd, int out_fd, int err_fd, int report_fd) {
  const int null_fd = in_fd < 0 ? open("/dev/null", O_RDONLY) : -1;
  if (in_fd < 0) {
    in_fd = null_fd;
  }
  if (in_fd < 0 || setpgid(0, 0) != 0 || dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) {
    fail_in_child(report_fd, Stage::Setup);
  }
  if (null_fd > 2) {
    close(null_fd);
  }
  if (spec.cwd && chdir(spec.cwd->c_str()) != 0) {
    fail_in_child(report_fd, Stage::Chdir);
  }
  // Ignored signals survive exec. Fails harmlessly for SIGKILL, SIGSTOP and
  // the signals the C library keeps for itself.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    sigaction(sig, &default_action, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // execvp() searches the PATH of `environ`, so PATH overrides in spec.env
  // apply to the lookup too; glibc's execvp() does not allocate.
  environ = plan.envp.data();
  execvp(plan.argv[0], plan.argv.data());
  fail_in_child(report_fd, Stage::Exec);
}

/// The started process. Dropping it (an error or an exception from the line
/// handler) kills its group and reaps it.
class Child {
public:
  explicit Child(pid_t pid) : m_pid(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (m_pid > 0) {
      kill_group(SIGKILL);
      reap();
    }
  }

  pid_t pid() const { return m_pid; }
  void kill_group(int sig) const { killpg(m_pid, sig); }

  /// WNOWAIT leaves the process a zombie, which keeps its pid, and with it
  /// the group id, from being reused before the group has been killed.
  bool has_exited() const {
    siginfo_t info{};
    while (waitid(P_PID, m_pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      if (errno != EINTR) {
        return true; // reaped behind our back: nothing left to wait for
      }
    }
    return info.si_pid == m_pid;
  }

  int reap() {
    int status = 0;
    while (waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
    m_pid = -1;
    return status;
  }

private:
  pid_t m_pid;
};

/// Feeds stdin_text to the child as fast as it reads it.
class InputWriter {
public:
  InputWriter(UniqueFd fd, std::string_view text) : m_fd(std::move(fd)), m_rest(text) {
    if (m_rest.empty()) {
      m_fd.reset();
    }
  }

  int fd() const { return m_fd.get(); }

  void write_some() {
    // Writing to a pipe whose reader is gone raises SIGPIPE, which would kill
    // a host that does not ignore it: block it on this thread and swallow it.
    sigset_t sigpipe_only;
    sigset_t old_mask;
    sigset_t pending;
    sigemptyset(&sigpipe_only);
    sigaddset(&sigpipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &sigpipe_only, &old_mask);
    sigpending(&pending);
    const ssize_t n = write(m_fd.get(), m_rest.data(), std::min(m_rest.size(), k_io_chunk));
    const int err = errno;
    if (n < 0 && err == EPIPE && sigismember(&pending, SIGPIPE) == 0) {
      const timespec no_wait{};
      while (sigtimedwait(&sigpipe_only, nullptr, &no_wait) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);

    if (n > 0) {
      m_rest.remove_prefix(static_cast<std::size_t>(n));
    } else if (err != EAGAIN && err != EINTR) {
      m_rest = {}; // the child closed its stdin; it does not want the rest
    }
    if (m_rest.empty()) {
      m_fd.reset();
    }
  }

private:
  UniqueFd m_fd;
  std::string_view m_rest;
};

/// A process that has exec'd, with our ends of its pipes.
struct Started {
  std::unique_ptr<Child> child;
  UniqueFd out;
  UniqueFd err;
  UniqueFd in;
};

Result<Started> spawn(const Spec& spec) {
  ExecPlan plan = make_plan(spec);
  auto out = make_pipe();
  auto err = make_pipe();
  auto report = make_pipe();
  auto in = spec.stdin_text ? make_pipe() : Result<Pipe>(Pipe{});
  for (const Result<Pipe>* p : {&out, &err, &report, &in}) {
    if (!p->ok()) {
      return p->error();
    }
  }

  // Every signal stays blocked across fork() so no host handler can run in
  // the child before it has reset the dispositions.
  sigset_t all_signals;
  sigset_t old_mask;
  sigfillset(&all_signals);
  pthread_sigmask(SIG_SETMASK, &all_signals, &old_mask);
  const pid_t pid = fork();
  if (pid == 0) {
    const int in_fd = spec.stdin_fd ? *spec.stdin_fd : in->read_end.get();
    exec_child(spec, plan, in_fd, out->write_end.get(), err->write_end.get(), report->write_end.get());
  }
  const int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  if (pid < 0) {
    return make_error("cannot fork: ", errno_text(fork_errno));
  }
  auto child = std::make_unique<Child>(pid);
  report->write_end.reset();

  // The report pipe closes on a successful exec and carries the reason otherwise.
  ChildFailure failure{};
  ssize_t n;
  while ((n = read(report->read_end.get(), &failure, sizeof failure)) < 0 && errno == EINTR) {
  }
  if (n == static_cast<ssize_t>(sizeof failure)) {
    const std::string why = errno_text(failure.err);
    if (failure.stage == Stage::Chdir) {
      return make_error("cannot change to directory '", *spec.cwd, "': ", why);
    }
    return failure.stage == Stage::Exec ? make_error(why) : make_error("cannot set up the child process: ", why);
  }
  for (const UniqueFd* ours : {&out->read_end, &err->read_end, &in->write_end}) {
    fcntl(ours->get(), F_SETFL, O_NONBLOCK);
  }
  return Started{std::move(child), std::move(out->read_end), std::move(err->read_end), std::move(in->write_end)};
}

} // namespace

void hurry() noexcept {
  g_hurry.store(true, std::memory_order_relaxed);
}

Result<Outcome> run(const Spec& spec, const LineHandler& on_line, const CancelToken* cancel,
                    std::chrono::milliseconds kill_grace) {
  if (spec.argv.empty() || spec.argv.front().empty()) {
    return make_error("cannot run a process: argv is empty, expected at least a program name");
  }
  auto started = spawn(spec);
  if (!started) {
    return make_error("cannot run '", spec.argv.front(), "': ", started.error().message);
  }
  Child& child = *started->child;
  LineReader readers[] = {{Stream::Stdout, std::move(started->out)}, {Stream::Stderr, std::move(started->err)}};
  InputWriter input(std::move(started->in), spec.stdin_text ? std::string_view(*spec.stdin_text) : "");
  // Readable once the child exits, so poll() wakes at once rather than at
  // the next tick; kernels before 5.3 lack it and rely on the tick.
  const UniqueFd exit_fd(static_cast<int>(syscall(SYS_pidfd_open, child.pid(), 0)));

  const auto start = Clock::now();
  std::optional<Ending> stop;
  Clock::time_point escalate_at;
  Clock::time_point drain_until;
  bool exited = false;
  bool sigkill_sent = false;
  bool group_cleared = false;
  for (;;) {
    const auto now = Clock::now();
    exited = exited || child.has_exited();
    if (!exited && !stop) {
      if (spec.timeout.count() > 0 && now - start >= spec.timeout) {
        stop = Ending::TimedOut;
      } else if (cancel != nullptr && cancel->cancelled()) {
        stop = Ending::Cancelled;
      }
      if (stop) {
        child.kill_group(SIGTERM);
        escalate_at = now + kill_grace;
      }
    }
    if (stop && !sigkill_sent && (now >= escalate_at || hurrying())) {
      child.kill_group(SIGKILL);
      sigkill_sent = true;
    }
    const bool reading = readers[0].open() || readers[1].open();
    // Once the leader is gone, what is left of its group is killed so that
    // nothing outlives it and holds the pipes open. While stopping, members
    // still holding the pipes get the rest of the grace period first.
    if (exited && !group_cleared && (!stop || sigkill_sent || !reading)) {
      child.kill_group(SIGKILL);
      group_cleared = true;
      drain_until = now + kill_grace;
    }
    // Something that left the group (setsid) may hold the pipes forever;
    // after the grace period only what is already buffered is read.
    if (group_cleared && (!reading || now >= drain_until || hurrying())) {
      break;
    }

    pollfd fds[] = {{readers[0].fd(), POLLIN, 0},
                    {readers[1].fd(), POLLIN, 0},
                    {input.fd(), POLLOUT, 0},
                    {exited ? -1 : exit_fd.get(), POLLIN, 0}};
    if (poll(fds, 4, k_tick_ms) <= 0) {
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents != 0) {
        readers[i].read_some(on_line);
      }
    }
    if (fds[2].revents != 0) {
      input.write_some();
    }
  }
  for (LineReader& reader : readers) {
    reader.drain(on_line);
  }

  const int status = child.reap();
  if (stop) {
    return Outcome{*stop, -1};
  }
  return Outcome{Ending::Exited, WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status)};
}

} // namespace offload::process
