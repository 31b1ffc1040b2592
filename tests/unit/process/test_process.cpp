// SPDX-License-Identifier: MIT
#include "process/process.hpp"

#include <doctest/doctest.h>

#include "../temp_dir.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using offload::process::CancelToken;
using offload::process::Ending;
using offload::process::Outcome;
using offload::process::Spec;
using offload::process::Stream;

namespace {

struct Captured {
  std::vector<std::string> out;
  std::vector<std::string> err;
  std::size_t out_bytes = 0;
  std::size_t longest_out = 0;
  bool called_elsewhere = false; ///< the handler ran on a thread other than run()'s caller
};

offload::Result<Outcome> run_capturing(const Spec& spec, Captured& captured, const CancelToken* cancel = nullptr,
                                       std::chrono::milliseconds grace = 2000ms) {
  const auto caller = std::this_thread::get_id();
  return offload::process::run(
      spec,
      [&](Stream stream, std::string_view line) {
        captured.called_elsewhere = captured.called_elsewhere || std::this_thread::get_id() != caller;
        if (stream == Stream::Stderr) {
          captured.err.emplace_back(line);
          return;
        }
        captured.out_bytes += line.size();
        captured.longest_out = std::max(captured.longest_out, line.size());
        if (captured.out.size() < 1000) {
          captured.out.emplace_back(line);
        }
      },
      cancel, grace);
}

Spec shell(const std::string& script) {
  Spec spec;
  spec.argv = {"/bin/sh", "-c", script};
  return spec;
}

pid_t read_pid(const std::filesystem::path& file) {
  std::ifstream in(file);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

// A killed grandchild is reparented and may linger briefly as a zombie
// until its new parent reaps it; a zombie counts as dead.
bool is_dead(pid_t pid) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (kill(pid, 0) == -1 && errno == ESRCH) {
      return true;
    }
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    const auto paren = text.rfind(')');
    if (paren != std::string::npos && paren + 2 < text.size() &&
        (text[paren + 2] == 'Z' || text[paren + 2] == 'X')) {
      return true;
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

using offload::testing::TempDir;

TEST_SUITE_BEGIN("process");

TEST_CASE("process::run delivers stdout and stderr lines in order on their streams") {
  Captured c;
  auto r = run_capturing(shell("printf 'a\\nb\\n'; printf 'e1\\n' >&2; printf 'crlf\\r\\n'; printf 'e2' >&2; "
                               "printf 'tail'; exit 3"),
                         c);
  REQUIRE(r.ok());
  CHECK(r->ending == Ending::Exited);
  CHECK(r->exit_status == 3);
  CHECK(c.out == std::vector<std::string>{"a", "b", "crlf", "tail"});
  CHECK(c.err == std::vector<std::string>{"e1", "e2"});
  CHECK_FALSE(c.called_elsewhere);
}

TEST_CASE("process::run reports death by signal as 128 + signal") {
  Captured c;
  auto r = run_capturing(shell("kill -9 $$"), c);
  REQUIRE(r.ok());
  CHECK(r->ending == Ending::Exited);
  CHECK(r->exit_status == 128 + 9);
}

TEST_CASE("process::run applies env overrides on top of the inherited environment and cwd") {
  TempDir dir;
  setenv("OFFLOAD_TEST_INHERITED", "kept", 1);
  setenv("OFFLOAD_TEST_OVERRIDDEN", "old", 1);
  Spec spec = shell("echo \"$OFFLOAD_TEST_INHERITED\"; echo \"$OFFLOAD_TEST_OVERRIDDEN\"; echo \"$OFFLOAD_TEST_NEW\"; "
                    "env | grep -c '^OFFLOAD_TEST_OVERRIDDEN='; pwd -P");
  spec.env = {{"OFFLOAD_TEST_OVERRIDDEN", "new"}, {"OFFLOAD_TEST_NEW", "added"}};
  spec.cwd = dir.path().string();
  Captured c;
  auto r = run_capturing(spec, c);
  unsetenv("OFFLOAD_TEST_INHERITED");
  unsetenv("OFFLOAD_TEST_OVERRIDDEN");
  REQUIRE(r.ok());
  CHECK(r->exit_status == 0);
  const auto canonical = std::filesystem::canonical(dir.path()).string();
  CHECK(c.out == std::vector<std::string>{"kept", "new", "added", "1", canonical});
}

TEST_CASE("process::run looks the program up in the PATH given in spec.env") {
  TempDir dir;
  const auto tool = dir.path() / "offload-test-tool";
  std::ofstream(tool) << "#!/bin/sh\necho \"from path $1\"\n";
  std::filesystem::permissions(tool, std::filesystem::perms::owner_all);
  Spec spec;
  spec.argv = {"offload-test-tool", "arg"};
  spec.env = {{"PATH", dir.path().string() + ":/usr/bin:/bin"}};
  Captured c;
  auto r = run_capturing(spec, c);
  REQUIRE(r.ok());
  CHECK(r->exit_status == 0);
  CHECK(c.out == std::vector<std::string>{"from path arg"});
}

TEST_CASE("process::run feeds stdin_text and uses /dev/null otherwise") {
  Spec with_input = shell("cat");
  with_input.stdin_text = "one\ntwo\n";
  Captured c;
  auto r = run_capturing(with_input, c);
  REQUIRE(r.ok());
  CHECK(c.out == std::vector<std::string>{"one", "two"});

  Captured d;
  auto s = run_capturing(shell("readlink /proc/$$/fd/0; cat"), d);
  REQUIRE(s.ok());
  CHECK(s->exit_status == 0);
  CHECK(d.out == std::vector<std::string>{"/dev/null"});
}

TEST_CASE("process::run passes 1 MB of stdin through cat without deadlock") {
  const std::string line(99, 'x');
  std::string input;
  for (int i = 0; i < 10486; ++i) {
    input += line + "\n";
  }
  Spec spec = shell("cat");
  spec.stdin_text = input;
  Captured c;
  auto r = run_capturing(spec, c);
  REQUIRE(r.ok());
  CHECK(r->exit_status == 0);
  CHECK(c.out_bytes == 10486u * 99u);
  CHECK(c.out.size() == 1000u); // capped by the capture helper
}

TEST_CASE("process::run survives a child that closes stdin before reading it") {
  // SIGPIPE at its default would kill this test binary if run() let it through.
  struct sigaction dfl {};
  struct sigaction old {};
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGPIPE, &dfl, &old);
  Spec spec = shell("exec 0<&-; sleep 0.3; echo done");
  spec.stdin_text = std::string(4 << 20, 'z');
  Captured c;
  auto r = run_capturing(spec, c);
  sigaction(SIGPIPE, &old, nullptr);
  REQUIRE(r.ok());
  CHECK(r->exit_status == 0);
  CHECK(c.out == std::vector<std::string>{"done"});
}

TEST_CASE("process::run delivers 10 MB of lines on both streams completely") {
  // 20-byte lines: 524288 of them make exactly 10 MiB per stream.
  std::size_t out_bytes = 0;
  std::size_t out_lines = 0;
  std::size_t err_bytes = 0;
  std::size_t err_lines = 0;
  auto r = offload::process::run(
      shell("(yes 0123456789abcdefghi | head -c 10485760 >&2) & yes 0123456789abcdefghi | head -c 10485760; wait"),
      [&](Stream stream, std::string_view line) {
        if (stream == Stream::Stdout) {
          out_bytes += line.size();
          ++out_lines;
        } else {
          err_bytes += line.size();
          ++err_lines;
        }
      },
      nullptr);
  REQUIRE(r.ok());
  CHECK(r->exit_status == 0);
  CHECK(out_lines == 524288u);
  CHECK(out_bytes == 524288u * 19u);
  CHECK(err_lines == 524288u);
  CHECK(err_bytes == 524288u * 19u);
}

TEST_CASE("process::run splits a 10 MB line without newlines into bounded chunks") {
  Captured c;
  auto r = run_capturing(shell("head -c 10485760 /dev/zero | tr '\\0' x"), c);
  REQUIRE(r.ok());
  CHECK(r->exit_status == 0);
  CHECK(c.out_bytes == 10485760u);
  CHECK(c.longest_out <= (2u << 20));
  CHECK(c.out.size() > 1u);
}

TEST_CASE("process::run times out and kills the whole process group") {
  TempDir dir;
  const auto pidfile = dir.path() / "pid";
  Spec spec = shell("sleep 60 & echo $! > '" + pidfile.string() + "'; wait");
  spec.timeout = 300ms;
  Captured c;
  const auto start = std::chrono::steady_clock::now();
  auto r = run_capturing(spec, c);
  REQUIRE(r.ok());
  CHECK(r->ending == Ending::TimedOut);
  CHECK(r->exit_status == -1);
  CHECK(seconds_since(start) < 30.0);
  const pid_t grandchild = read_pid(pidfile);
  REQUIRE(grandchild > 0);
  CHECK(is_dead(grandchild));
}

TEST_CASE("process::run escalates to SIGKILL when SIGTERM is ignored") {
  Spec spec = shell("trap '' TERM; sleep 60");
  spec.timeout = 200ms;
  Captured c;
  const auto start = std::chrono::steady_clock::now();
  auto r = run_capturing(spec, c, nullptr, 300ms);
  REQUIRE(r.ok());
  CHECK(r->ending == Ending::TimedOut);
  CHECK(seconds_since(start) < 30.0);
}

TEST_CASE("process::run returns promptly when a background grandchild holds stdout") {
  Captured c;
  const auto start = std::chrono::steady_clock::now();
  auto r = run_capturing(shell("sleep 60 & echo $!; echo started"), c);
  REQUIRE(r.ok());
  CHECK(r->ending == Ending::Exited);
  CHECK(r->exit_status == 0);
  CHECK(seconds_since(start) < 30.0);
  REQUIRE(c.out.size() == 2u);
  CHECK(c.out[1] == "started");
  CHECK(is_dead(static_cast<pid_t>(std::stol(c.out[0]))));
}

TEST_CASE("process::run stops when cancelled from another thread through a parent token") {
  CancelToken parent;
  const CancelToken token = parent.child();
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    parent.cancel();
  });
  Captured c;
  const auto start = std::chrono::steady_clock::now();
  auto r = run_capturing(shell("sleep 60"), c, &token);
  canceller.join();
  REQUIRE(r.ok());
  CHECK(r->ending == Ending::Cancelled);
  CHECK(r->exit_status == -1);
  CHECK(seconds_since(start) < 30.0);
}

TEST_CASE("process::CancelToken cancels children but not parents") {
  CancelToken parent;
  const CancelToken child = parent.child();
  const CancelToken grandchild = child.child();
  const CancelToken sibling = parent.child();
  sibling.cancel();
  CHECK_FALSE(parent.cancelled());
  CHECK_FALSE(child.cancelled());
  parent.cancel();
  CHECK(child.cancelled());
  CHECK(grandchild.cancelled());
}

TEST_CASE("process::run returns an Error naming a program that cannot be started") {
  Captured c;
  Spec missing;
  missing.argv = {"offload-no-such-program-xyz", "--help"};
  auto r = run_capturing(missing, c);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "cannot run 'offload-no-such-program-xyz': No such file or directory");

  Spec bad_cwd = shell("true");
  bad_cwd.cwd = "/nonexistent/offload-dir";
  auto s = run_capturing(bad_cwd, c);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("'/bin/sh'") != std::string::npos);
  CHECK(s.error().message.find("/nonexistent/offload-dir") != std::string::npos);

  TempDir dir;
  const auto not_executable = dir.path() / "data.txt";
  std::ofstream(not_executable) << "data\n";
  Spec denied;
  denied.argv = {not_executable.string()};
  auto d = run_capturing(denied, c);
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().message == "cannot run '" + not_executable.string() + "': Permission denied");

  auto t = run_capturing(Spec{}, c);
  CHECK_FALSE(t.ok());
}

TEST_CASE("process::run starts the child with default signal dispositions and an empty mask") {
  struct sigaction ignore {};
  struct sigaction old {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old);
  sigset_t usr2;
  sigset_t old_mask;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &usr2, &old_mask);
  Spec spec;
  spec.argv = {"grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"};
  Captured c;
  auto r = run_capturing(spec, c);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGPIPE, &old, nullptr);
  REQUIRE(r.ok());
  CHECK(c.out == std::vector<std::string>{"SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000"});
}

TEST_CASE("process::run closes every descriptor it opened") {
  const auto count_fds = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator{});
  };
  const auto before = count_fds();
  Captured c;
  Spec with_input = shell("cat; echo err >&2");
  with_input.stdin_text = "text\n";
  CHECK(run_capturing(with_input, c).ok());
  Spec missing;
  missing.argv = {"offload-no-such-program-xyz"};
  CHECK_FALSE(run_capturing(missing, c).ok());
  Spec slow = shell("sleep 60");
  slow.timeout = 100ms;
  CHECK(run_capturing(slow, c).ok());
  CHECK(count_fds() == before);
}

TEST_CASE("process::run keeps the output of concurrent runs apart") {
  constexpr int k_threads = 8;
  std::vector<Captured> captured(k_threads);
  std::vector<int> statuses(k_threads, -2);
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      Spec spec = shell("i=0; while [ $i -lt 200 ]; do echo \"$ID $i\"; i=$((i+1)); done");
      spec.env = {{"ID", std::to_string(t)}};
      auto r = run_capturing(spec, captured[t]);
      statuses[t] = r.ok() ? r->exit_status : -3;
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  for (int t = 0; t < k_threads; ++t) {
    CAPTURE(t);
    CHECK(statuses[t] == 0);
    CHECK_FALSE(captured[t].called_elsewhere);
    REQUIRE(captured[t].out.size() == 200u);
    for (int i = 0; i < 200; ++i) {
      CHECK(captured[t].out[i] == std::to_string(t) + " " + std::to_string(i));
    }
  }
}

TEST_SUITE_END();
