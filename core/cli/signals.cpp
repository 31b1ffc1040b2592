// SPDX-License-Identifier: MIT
#include "cli/signals.hpp"

#include "process/process.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <pthread.h>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace offload::cli {
namespace {

// SIGUSR2 only wakes the signal thread when the guard goes away; SIGUSR1
// stands for a SIGPIPE (see on_sigpipe).
sigset_t guarded_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2}) {
    sigaddset(&set, sig);
  }
  return set;
}

// SIGPIPE is raised in the thread that wrote to the closed pipe (stdout into
// `| head`), so the signal thread's sigwait() never sees it: the handler
// passes it on as a signal to the whole process, which that thread takes.
extern "C" void on_sigpipe(int) {
  ::kill(::getpid(), SIGUSR1);
}

/// The kernel's PF_EXITING, in /proc/PID/stat's flags: the process is in exit().
constexpr unsigned long k_pf_exiting = 0x4;

/// offload's children (its own, and orphans it adopted as subreaper); those
/// that already exited are reaped on the way, as nothing is left to kill.
std::vector<pid_t> child_pids() {
  std::vector<pid_t> pids;
  const pid_t self = ::getpid();
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) {
    return pids;
  }
  while (const dirent* entry = ::readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream stat("/proc/" + name + "/stat");
    std::string line;
    std::getline(stat, line);
    // pid (comm) state ppid ...: comm may hold spaces and parentheses.
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos) {
      continue;
    }
    char state = 0;
    long ppid = 0;
    unsigned long flags = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %ld %*d %*d %*d %*d %lu", &state, &ppid, &flags) != 3 ||
        ppid != self) {
      continue;
    }
    const auto pid = static_cast<pid_t>(std::stol(name));
    if (state == 'Z') {
      ::waitpid(pid, nullptr, WNOHANG);
    } else if ((flags & k_pf_exiting) == 0) {
      // One already exiting (its files closed, not yet a zombie: a fork
      // server whose last client has just seen it go) ends on its own.
      pids.push_back(pid);
    }
  }
  ::closedir(proc);
  return pids;
}

/// What a process runs, as ps shows it, for the warning that names it.
std::string command_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\0') {
    text.pop_back();
  }
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text.empty() ? "pid " + std::to_string(pid) : text.substr(0, 120);
}

} // namespace

std::vector<std::string> kill_leftover_children(double secs) {
  std::vector<std::string> killed;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(secs);
  while (true) {
    const std::vector<pid_t> pids = child_pids();
    if (pids.empty() || std::chrono::steady_clock::now() >= deadline) {
      return killed;
    }
    for (const pid_t pid : pids) {
      // A setsid() leader may have a group of its own below it.
      if (::getpgid(pid) == pid) {
        ::killpg(pid, SIGKILL);
      }
      std::string command = command_of(pid);
      if (::kill(pid, SIGKILL) == 0) {
        killed.push_back(std::move(command));
      }
      ::waitpid(pid, nullptr, 0);
    }
  }
}

InterruptGuard::InterruptGuard(process::CancelToken token, std::function<void()> on_first) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  struct sigaction pipe_action {};
  pipe_action.sa_handler = &on_sigpipe;
  sigemptyset(&pipe_action.sa_mask);
  ::sigaction(SIGPIPE, &pipe_action, nullptr);

  const sigset_t set = guarded_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  m_thread = std::thread([token, on_first = std::move(on_first)] {
    const sigset_t wait_set = guarded_signals();
    int received = 0;
    while (true) {
      int sig = 0;
      if (sigwait(&wait_set, &sig) != 0 || sig == SIGUSR2) {
        return;
      }
      if (++received == 1) {
        token.cancel();
        if (on_first) {
          on_first();
        }
      } else if (received == 2) {
        process::hurry();
        spdlog::warn("second signal: killing at once what is still running, then cleaning up");
      }
    }
  });
}

InterruptGuard::~InterruptGuard() {
  pthread_kill(m_thread.native_handle(), SIGUSR2);
  m_thread.join();
  if (const std::vector<std::string> killed = kill_leftover_children(5.0); !killed.empty()) {
    spdlog::warn("killed {} process(es) that tests left running outside their process group: {}{}", killed.size(),
                 killed.front(), killed.size() > 1 ? ", ..." : "");
  }
  // The run is over and cleaned up: a late SIGPIPE now just fails the write,
  // and a signal that would end offload stays blocked (pending) until it
  // exits with the run's own status. The SIGUSR1 a SIGPIPE may have raised
  // is swallowed, as its default action would end offload too.
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t forwarded;
  sigemptyset(&forwarded);
  sigaddset(&forwarded, SIGUSR1);
  const timespec no_wait{};
  while (sigtimedwait(&forwarded, nullptr, &no_wait) > 0) {
  }
}

} // namespace offload::cli
