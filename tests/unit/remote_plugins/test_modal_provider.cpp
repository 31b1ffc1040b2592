// SPDX-License-Identifier: MIT
#include "modal_factory.hpp"
#include "modal_provider.hpp"
#include "bundled_host.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

using offload::plugins::modal_commands;
using offload::plugins::ModalOptions;
using offload::plugins::ModalProvider;
using offload::plugins::script_runner;
using offload::plugin_support::testing::BundledHost;
using offload::plugin_support::testing::EnvOverride;
using offload::plugin_support::testing::FakeHost;
using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::write_file;
using offload::plugin_support::testing::failure_of;
namespace fs = std::filesystem;


TEST_SUITE_BEGIN("remote_plugins");

TEST_CASE("modal_provider::commands call the bundled script with quoted values") {
  ModalOptions options;
  options.dockerfile = "docker files/Dockerfile";
  options.include_cwd = true;
  options.copy_dirs = {"data:/data"};
  options.env = {{"A", "1"}};
  options.timeout_secs = 90;
  const auto c = modal_commands(options, "uv run");
  CHECK(c.prepare == "uv run @modal_sandbox.py prepare 'docker files/Dockerfile' --include-cwd");
  CHECK(c.create == "uv run @modal_sandbox.py create {image_id}");
  CHECK(c.exec == "uv run @modal_sandbox.py exec {sandbox_id} {command}");
  CHECK(c.download == "uv run @modal_sandbox.py download {sandbox_id} {paths}");
  CHECK(c.destroy == "uv run @modal_sandbox.py destroy {sandbox_id}");
  CHECK(c.copy_dirs == std::vector<std::string>{"data:/data"});
  CHECK(c.env == options.env);
  CHECK(c.timeout_secs == 90);
  CHECK(c.scratch_dir == "/tmp");
  CHECK(c.no_cache_flag == "--no-cache");
  CHECK(c.generated);
  CHECK(modal_commands(ModalOptions{}, "python3").prepare == "python3 @modal_sandbox.py prepare");
}

TEST_CASE("modal_provider::the script runs with uv when there is one, else python3") {
  ScratchDir bin;
  CHECK(script_runner("/opt/py/bin/python3.12") == "/opt/py/bin/python3.12");
  {
    const EnvOverride path("PATH", bin.path().string());
    CHECK(script_runner("") == "python3");
  }
  write_file(bin.path() / "uv", "#!/bin/sh\n");
  ::chmod((bin.path() / "uv").c_str(), 0755);
  const EnvOverride path("PATH", "/nonexistent:" + bin.path().string());
  CHECK(script_runner("") == "uv run");
}

TEST_CASE("modal_provider::create checks its keys") {
  FakeHost host;
  ScratchDir dir;
  const auto check = [&](const nlohmann::json& config, const std::string& key) {
    CAPTURE(config.dump());
    const auto failure = failure_of([&] { ModalProvider(host.table(), config.dump()); });
    CHECK(failure.code() == OFFLOAD_EINVAL);
    CHECK(failure.key() == key);
  };
  check({{"dockerfile", (dir.path() / "Dockerfile").string()}}, "dockerfile");
  check({{"copy_dirs", {"/only-local"}}}, "copy_dirs");
  check({{"env", {{"1ABC", "x"}}}}, "env");
  check({{"timeout_secs", -1}}, "timeout_secs");
}

TEST_CASE("modal_provider::generated commands reach the bundled script, --no-cache included") {
  FakeHost fake;
  ScratchDir scripts;
  // Stands in for modal_sandbox.py: prints its arguments as the "image ID".
  write_file(scripts.path() / "modal_sandbox.py", "echo \"$*\"\n");
  const BundledHost host(fake, scripts.path());
  ModalProvider provider(host.table(), R"({"python": "sh", "include_cwd": true, "copy_dirs": ["a b:/b"]})");
  const std::string script = (scripts.path() / "modal_sandbox.py").string();
  CHECK(provider.commands().exec == "sh " + script + " exec {sandbox_id} {command}");
  const nlohmann::json request = {{"no_cache", true}, {"copy_dirs", {"c:/c"}}};
  CHECK(provider.prepare(request.dump(), nullptr) ==
        "prepare --include-cwd --copy-dir=a b:/b --copy-dir=c:/c --no-cache");
  CHECK(fake.specs().back()["env"] == nlohmann::json({{"OFFLOAD_NO_CACHE", "1"}}));
  CHECK(provider.prepare(R"({"no_cache": false})", nullptr) == "prepare --include-cwd --copy-dir=a b:/b");
}

TEST_CASE("modal_provider::a missing bundled script is reported without blaming a key") {
  FakeHost fake;
  ScratchDir empty;
  const BundledHost host(fake, empty.path());
  const auto failure = failure_of([&] { ModalProvider(host.table(), R"({"python": "python3"})"); });
  CHECK(failure.code() == OFFLOAD_EINVAL);
  CHECK(failure.key().empty());
  CHECK(std::string(failure.what()).find("no script 'modal_sandbox.py'") != std::string::npos);
}

TEST_CASE("modal_provider::factory describes its keys") {
  const offload_factory& factory = offload::plugins::modal_factory();
  CHECK(std::string(factory.name) == "modal");
  CHECK(factory.kind == OFFLOAD_KIND_PROVIDER);
  for (uint32_t i = 0; i < factory.option_count; ++i) {
    if (factory.options[i].default_json != nullptr) {
      CHECK_NOTHROW(nlohmann::json::parse(factory.options[i].default_json));
    }
  }
  const auto* table = static_cast<const offload_provider_v1*>(factory.iface);
  CHECK((table->prepare != nullptr));
}

TEST_SUITE_END();
