// SPDX-License-Identifier: MIT
// The ABI 1.1 calls through the core wrappers and the real local plugin;
// built only when that plugin is.
#include "loaded.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>

using namespace offload;
using namespace offload::plugin::testing;

TEST_SUITE_BEGIN("plugin");

TEST_CASE("plugin::Sandbox::exec_stdin streams through the local plugin") {
  const auto reg = real_plugins();
  const auto local = provider(*reg, "local");
  auto sandbox = local->create_sandbox({"s1", std::nullopt, {}, std::nullopt}, process::CancelToken());
  REQUIRE(sandbox.ok());
  REQUIRE((*sandbox)->streams_stdin());

  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> lines;
  Result<plugin::ExecOutcome> outcome = Error{"not run"};
  std::thread runner([&] {
    const nlohmann::json command = {{"shell", "while read -r l; do printf 'got %s\\n' \"$l\"; done; echo end"}};
    outcome = (*sandbox)->exec_stdin(
        command, fds[0],
        [&](process::Stream stream, std::string_view line) {
          if (stream == process::Stream::Stdout) {
            const std::lock_guard lock(mutex);
            lines.emplace_back(line);
            changed.notify_all();
          }
        },
        process::CancelToken());
  });
  for (const std::string word : {"a", "b"}) {
    REQUIRE(::write(fds[1], (word + "\n").data(), 2) == 2);
    std::unique_lock lock(mutex);
    CHECK(changed.wait_for(lock, std::chrono::minutes(1), [&] { return !lines.empty() && lines.back() == "got " + word; }));
  }
  ::close(fds[1]);
  runner.join();
  ::close(fds[0]);
  REQUIRE(outcome.ok());
  CHECK(outcome->exit_status == 0);
  CHECK(lines == std::vector<std::string>{"got a", "got b", "end"});
}

TEST_SUITE_END();
