// SPDX-License-Identifier: MIT
// The ABI 1.1 calls through the core wrappers and real plugin files.
#include "plugin/instance.hpp"
#include "plugin/registry.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;
using namespace offload;

namespace {

fs::path build_root() {
  const char* root = std::getenv("OFFLOAD_BUILD_ROOT");
  REQUIRE_MESSAGE(root != nullptr, "run through meson test (OFFLOAD_BUILD_ROOT unset)");
  return root;
}

std::unique_ptr<plugin::Framework> framework_of(const plugin::Registry& reg, const char* type) {
  const auto* f = reg.find(OFFLOAD_KIND_FRAMEWORK, type);
  REQUIRE(f != nullptr);
  config::PluginSection section;
  section.name = "framework";
  section.type = type;
  auto created = plugin::create_instance(*f, section);
  REQUIRE_MESSAGE(created.ok(), created.error().message);
  return std::make_unique<plugin::Framework>(*f, created->first);
}

} // namespace

TEST_SUITE_BEGIN("plugin");

TEST_CASE("plugin::Framework::worker_command: the command, or nullopt for a NULL slot and ENOTSUP") {
  const auto reg = plugin::Registry::scan({build_root() / "tests" / "plugins"});
  const auto current = framework_of(*reg, "sdk-c");
  const nlohmann::json request = {{"scratch_dir", "/tmp/s"}, {"fail_fast", false}, {"tests", {"c_alpha"}}};
  auto worker = current->worker_command(request);
  REQUIRE(worker.ok());
  REQUIRE(worker->has_value());
  CHECK((*worker)->spec == nlohmann::json{{"argv", {"cat"}}});
  CHECK_FALSE((*worker)->result_file);

  auto refused = current->worker_command({{"scratch_dir", "/tmp/s"}, {"fail_fast", true}, {"tests", nlohmann::json::array()}});
  REQUIRE(refused.ok());
  CHECK_FALSE(refused->has_value());

  const auto frozen = framework_of(*reg, "frozen-c"); // a 1.0 table: no slot at all
  auto none = frozen->worker_command(request);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
}

TEST_CASE("plugin::Sandbox::exec_stdin streams through the local plugin") {
  const auto reg = plugin::Registry::scan({build_root() / "plugins"});
  const auto* f = reg->find(OFFLOAD_KIND_PROVIDER, "local");
  REQUIRE(f != nullptr);
  config::PluginSection section;
  section.name = "provider";
  section.type = "local";
  auto created = plugin::create_instance(*f, section);
  REQUIRE_MESSAGE(created.ok(), created.error().message);
  plugin::Provider provider(*f, created->first);
  auto sandbox = provider.create_sandbox({"s1", std::nullopt, {}, std::nullopt}, process::CancelToken());
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
