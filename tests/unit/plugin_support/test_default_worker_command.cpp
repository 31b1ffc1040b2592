// SPDX-License-Identifier: MIT
#include "default_framework.hpp"
#include "fake_host.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>

using offload::plugins::DefaultFramework;
using offload::plugin_support::testing::FakeHost;
using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::sh_output;
using offload::plugin_support::testing::write_file;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<DefaultFramework> framework_with(const FakeHost& host, const nlohmann::json& extra) {
  nlohmann::json config = {{"discover_command", "printf '%s\\n' a b"}, {"run_command", "printf '%s\\n' {tests}"}};
  config.update(extra);
  return std::make_unique<DefaultFramework>(host.table(), config.dump());
}

std::string request(const std::string& scratch_dir) {
  return nlohmann::json{{"scratch_dir", scratch_dir}, {"fail_fast", false}, {"tests", {"a"}}}.dump();
}

} // namespace

TEST_SUITE_BEGIN("plugin_support");

TEST_CASE("default build_worker_command is not supported without a worker_command") {
  FakeHost host;
  auto framework = framework_with(host, nlohmann::json::object());
  try {
    framework->build_worker_command(request("/s"));
    FAIL("no Failure thrown");
  } catch (const offload::sdk::Failure& failure) {
    CHECK(failure.code() == OFFLOAD_ENOTSUP);
    CHECK(std::string(failure.what()) == "no worker_command is configured; tests run in batches");
  }
}

TEST_CASE("default build_worker_command runs worker_command in working_dir with its stdin and scratch_dir") {
  FakeHost host;
  ScratchDir dir;
  const fs::path work = dir.path() / "work dir";
  fs::create_directories(work);
  auto framework = framework_with(host, {{"worker_command", R"(pwd; printf '%s\n' {scratch_dir}; cat)"},
                               {"working_dir", work.string()}});
  const nlohmann::json command = nlohmann::json::parse(framework->build_worker_command(request("/s/it's $(x)")));
  CHECK(command.size() == 1);
  write_file(dir.path() / "worker.sh", command.at("shell").get<std::string>());
  write_file(dir.path() / "input", "{\"op\": \"stop\"}\n");
  CHECK(sh_output("sh '" + (dir.path() / "worker.sh").string() + "' < '" + (dir.path() / "input").string() + "'") ==
        work.string() + "\n/s/it's $(x)\n{\"op\": \"stop\"}\n");
}

TEST_CASE("default worker_command may be absent but not empty") {
  FakeHost host;
  try {
    framework_with(host, {{"worker_command", "  "}});
    FAIL("created");
  } catch (const offload::sdk::Failure& failure) {
    CHECK(failure.code() == OFFLOAD_EINVAL);
    CHECK(failure.key() == "worker_command");
  }
}

TEST_SUITE_END();
