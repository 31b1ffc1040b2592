// SPDX-License-Identifier: MIT
#include "local_factory.hpp"
#include "local_provider.hpp"
#include "fake_host.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <toml.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

using offload::plugins::LocalProvider;
using offload::plugin_support::testing::EnvOverride;
using offload::plugin_support::testing::FakeHost;
using offload::plugin_support::testing::read_file;
using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::write_file;
using offload::plugin_support::testing::creation_failure;
using offload::plugin_support::testing::failure_of;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<LocalProvider::Sandbox> sandbox_of(LocalProvider& provider, const nlohmann::json& request) {
  std::string info;
  return provider.create_sandbox(request.dump(), info, nullptr);
}

} // namespace

TEST_SUITE_BEGIN("plugin_support");

TEST_CASE("local_provider::create resolves working_dir and checks it") {
  FakeHost host;
  ScratchDir dir;
  CHECK(LocalProvider(host.table(), "{}").working_dir() == fs::current_path());
  CHECK(LocalProvider(host.table(), nlohmann::json{{"working_dir", dir.path().string() + "/./"}}.dump())
            .working_dir() == dir.path());

  write_file(dir.path() / "file", "x");
  const auto failure = creation_failure<LocalProvider>(host, {{"working_dir", (dir.path() / "file").string()}});
  CHECK(failure.code() == OFFLOAD_EINVAL);
  CHECK(failure.key() == "working_dir");
  CHECK(std::string(failure.what()) == "working_dir '" + (dir.path() / "file").string() + "' is not a directory");
}

TEST_CASE("local_provider::create finds the shell or names the key") {
  FakeHost host;
  ScratchDir dir;
  const std::string found = LocalProvider(host.table(), R"({"shell": "sh"})").shell();
  CHECK(fs::path(found).is_absolute());
  CHECK(fs::path(found).filename() == "sh");

  write_file(dir.path() / "not-executable", "#!/bin/sh\n");
  for (const std::string& shell : {std::string("/nonexistent/sh"), std::string("no-such-shell-here"),
                                   std::string("./not-executable"), std::string("")}) {
    CAPTURE(shell);
    const auto failure = creation_failure<LocalProvider>(host, {{"working_dir", dir.path().string()}, {"shell", shell}});
    CHECK(failure.code() == OFFLOAD_EINVAL);
    CHECK(failure.key() == "shell");
  }
}

TEST_CASE("local_provider::create_sandbox makes a private directory under TMPDIR") {
  FakeHost host;
  ScratchDir tmp;
  const EnvOverride tmpdir("TMPDIR", tmp.path().string());
  LocalProvider provider(host.table(), "{}");
  std::string info_json;
  auto sandbox = provider.create_sandbox(R"({"id": "run/1 2", "env": {"A": "1"}, "project_root": "/app"})",
                                         info_json, nullptr);
  const fs::path dir = sandbox->dir.path();
  CHECK(dir.parent_path() == tmp.path());
  CHECK(dir.filename().string().rfind("offload-run_1_2-", 0) == 0);
  CHECK(fs::is_directory(dir));
  CHECK(fs::status(dir).permissions() == fs::perms::owner_all);
  CHECK(nlohmann::json::parse(info_json) == nlohmann::json({{"id", "run/1 2"}, {"scratch_dir", dir.string()}}));
  CHECK(sandbox->env == std::map<std::string, std::string>{{"A", "1"}});

  provider.destroy_sandbox(*sandbox);
  CHECK_FALSE(fs::exists(dir));
  CHECK(failure_of([&] { sandbox_of(provider, {{"env", nlohmann::json::object()}}); }).code() == OFFLOAD_EINVAL);
}

TEST_CASE("local_provider::process_spec runs the command line with the merged environment") {
  FakeHost host;
  ScratchDir work;
  LocalProvider provider(host.table(), nlohmann::json{{"working_dir", work.path().string()},
                                                      {"env", {{"P", "provider"}, {"S", "provider"}, {"C", "provider"}}},
                                                      {"shell", "/bin/sh"}}
                                           .dump());
  auto sandbox = sandbox_of(provider, {{"id", "sb-1"}, {"env", {{"S", "sandbox"}, {"C", "sandbox"}, {"TMPDIR", "/x"}}}});
  const nlohmann::json spec =
      provider.process_spec(*sandbox, {{"argv", {"printf", "%s\n", "a b"}}, {"env", {{"C", "command"}}}, {"timeout_ms", 1500}});
  CHECK(spec.at("argv") == nlohmann::json({"/bin/sh", "-c", "printf '%s\n' 'a b'"}));
  CHECK(spec.at("cwd") == work.path().string());
  CHECK(spec.at("timeout_ms") == 1500);
  CHECK(spec.at("env") == nlohmann::json({{"P", "provider"},
                                          {"S", "sandbox"},
                                          {"C", "command"},
                                          {"TMPDIR", sandbox->dir.path().string()},
                                          {"OFFLOAD_SANDBOX_ID", "sb-1"}}));

  CHECK(provider.process_spec(*sandbox, {{"shell", "echo hi"}}).at("timeout_ms") == 0);
  CHECK(failure_of([&] { provider.process_spec(*sandbox, {{"shell", "x"}, {"timeout_ms", -1}}); }).code() ==
        OFFLOAD_EINVAL);
  CHECK(failure_of([&] { provider.process_spec(*sandbox, {{"shell", "x"}, {"env", {{"A", 1}}}}); }).code() ==
        OFFLOAD_EINVAL);
  CHECK(failure_of([&] { provider.process_spec(*sandbox, {{"program", "x"}}); }).code() == OFFLOAD_EINVAL);
}

TEST_CASE("local_provider::exec runs in working_dir with the sandbox variables") {
  FakeHost host;
  ScratchDir work;
  LocalProvider provider(host.table(),
                         nlohmann::json{{"working_dir", work.path().string()}, {"env", {{"FROM", "cfg"}}}}.dump());
  auto sandbox = sandbox_of(provider, {{"id", "sb-2"}});
  offload::sdk::Collector output;
  const int32_t status = provider.exec(
      *sandbox, R"({"shell": "echo \"$OFFLOAD_SANDBOX_ID|$TMPDIR|$FROM\"; pwd; echo oops >&2; exit 4"})",
      output.sink(), nullptr);
  CHECK(status == 4);
  REQUIRE(output.out().size() == 2);
  CHECK(output.out()[0] == "sb-2|" + sandbox->dir.path().string() + "|cfg");
  CHECK(fs::equivalent(output.out()[1], work.path()));
  CHECK(output.err() == std::vector<std::string>{"oops"});
}

TEST_CASE("local_provider::download copies whole files and leaves no partial file") {
  FakeHost host;
  ScratchDir work;
  ScratchDir local;
  LocalProvider provider(host.table(), nlohmann::json{{"working_dir", work.path().string()}}.dump());
  auto sandbox = sandbox_of(provider, {{"id", "sb-3"}});
  fs::create_directories(work.path() / "sub");
  write_file(work.path() / "sub" / "r.xml", "<relative/>");
  write_file(sandbox->dir.path() / "a.xml", "<absolute/>");

  const auto download = [&](const std::string& remote, const fs::path& to) {
    provider.download(*sandbox, nlohmann::json{{"files", {{{"remote", remote}, {"local", to.string()}}}}}.dump(),
                      nullptr);
  };
  download("sub/r.xml", local.path() / "one.xml");
  download((sandbox->dir.path() / "a.xml").string(), local.path() / "two.xml");
  CHECK(read_file(local.path() / "one.xml") == "<relative/>");
  CHECK(read_file(local.path() / "two.xml") == "<absolute/>");

  const auto missing = failure_of([&] { download("nope.xml", local.path() / "three.xml"); });
  CHECK(missing.code() == OFFLOAD_ENOENT);
  CHECK(std::string(missing.what()) == "result file 'nope.xml' does not exist in sandbox sb-3");

  CHECK(failure_of([&] { download("sub", local.path() / "four.xml"); }).code() == OFFLOAD_EIO);
  CHECK(failure_of([&] { download("sub/r.xml", local.path() / "no-dir" / "five.xml"); }).code() == OFFLOAD_EIO);

  fs::create_directories(local.path() / "occupied.xml");
  CHECK(failure_of([&] { download("sub/r.xml", local.path() / "occupied.xml"); }).code() == OFFLOAD_EIO);
  CHECK_FALSE(fs::exists(local.path() / "occupied.xml.partial"));

  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(local.path())) {
    left.push_back(entry.path().filename().string());
  }
  std::sort(left.begin(), left.end());
  CHECK(left == std::vector<std::string>{"occupied.xml", "one.xml", "two.xml"});
}

TEST_CASE("local_provider::destroy_sandbox removes read-only trees too") {
  FakeHost host;
  LocalProvider provider(host.table(), "{}");
  auto sandbox = sandbox_of(provider, {{"id", "sb-4"}});
  const fs::path dir = sandbox->dir.path();
  fs::create_directories(dir / "cache" / "deep");
  write_file(dir / "cache" / "deep" / "file", "x");
  fs::permissions(dir / "cache" / "deep", fs::perms::owner_read | fs::perms::owner_exec);
  fs::permissions(dir / "cache", fs::perms::owner_read | fs::perms::owner_exec);
  provider.destroy_sandbox(*sandbox);
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("local_provider::factory has a prepare that refuses --copy-dir, and a loadable template") {
  const offload_factory& factory = offload::plugins::local_factory();
  CHECK(std::string(factory.name) == "local");
  CHECK(factory.kind == OFFLOAD_KIND_PROVIDER);
  const auto* table = static_cast<const offload_provider_v1*>(factory.iface);
  REQUIRE((table->prepare != nullptr));
  CHECK((table->create_sandbox != nullptr && table->exec != nullptr && table->download != nullptr &&
         table->destroy_sandbox != nullptr && table->destroy != nullptr));
  REQUIRE(factory.option_count == 3);
  for (uint32_t i = 0; i < factory.option_count; ++i) {
    const offload_option& option = factory.options[i];
    if (option.default_json != nullptr) {
      CHECK_NOTHROW(nlohmann::json::parse(option.default_json));
    }
  }
  std::istringstream text(std::string("[provider]\ntype = \"local\"\n") + factory.config_template);
  const auto section = toml::find(toml::parse(text, "template"), "provider");
  CHECK(toml::find<std::string>(section, "working_dir") == ".");
}

TEST_CASE("local_provider::factory runs a sandbox through the C table") {
  FakeHost host;
  ScratchDir work;
  const offload_factory& factory = offload::plugins::local_factory();
  const auto* table = static_cast<const offload_provider_v1*>(factory.iface);

  const std::string bad = nlohmann::json{{"working_dir", (work.path() / "missing").string()}}.dump();
  void* self = nullptr;
  CHECK(factory.create(host.table(), bad.data(), bad.size(), &self, host.error_slot()) == OFFLOAD_EINVAL);
  REQUIRE(host.errors().size() == 1);
  CHECK(host.errors()[0].key == "working_dir");

  const std::string config = nlohmann::json{{"working_dir", work.path().string()}}.dump();
  REQUIRE(factory.create(host.table(), config.data(), config.size(), &self, host.error_slot()) == OFFLOAD_OK);
  offload::sdk::Collector info;
  offload_sandbox* sandbox = nullptr;
  const std::string request = R"({"id": "abi"})";
  REQUIRE(table->create_sandbox(self, request.data(), request.size(), &sandbox, info.sink(), nullptr,
                                host.error_slot()) == OFFLOAD_OK);
  const fs::path dir = nlohmann::json::parse(info.data().at(0)).at("scratch_dir").get<std::string>();

  offload::sdk::Collector output;
  int32_t status = -1;
  const std::string command = R"({"argv": ["sh", "-c", "printf '%s' \"$OFFLOAD_SANDBOX_ID\" > \"$TMPDIR/id\"; exit 2"]})";
  CHECK(table->exec(self, sandbox, command.data(), command.size(), output.sink(), nullptr, &status,
                    host.error_slot()) == OFFLOAD_OK);
  CHECK(status == 2);
  CHECK(read_file(dir / "id") == "abi");

  const std::string broken = R"({"argv": []})";
  CHECK(table->exec(self, sandbox, broken.data(), broken.size(), output.sink(), nullptr, &status,
                    host.error_slot()) == OFFLOAD_EINVAL);
  CHECK(status == -1);

  CHECK(table->destroy_sandbox(self, sandbox, host.error_slot()) == OFFLOAD_OK);
  CHECK_FALSE(fs::exists(dir));
  table->destroy(self);
}

TEST_CASE("local_provider::prepare refuses --copy-dir instead of ignoring it") {
  FakeHost host;
  LocalProvider provider(host.table(), "{}");
  CHECK_FALSE(provider.prepare(R"({"no_cache": false, "copy_dirs": []})", nullptr));
  try {
    provider.prepare(R"({"no_cache": false, "copy_dirs": ["data:/app/data"]})", nullptr);
    FAIL("prepare accepted --copy-dir");
  } catch (const offload::sdk::Failure& failure) {
    CHECK(failure.code() == OFFLOAD_EINVAL);
    CHECK(std::string(failure.what()).find("--copy-dir data:/app/data: the local provider runs tests in the working "
                                           "directory itself") == 0);
  }
}

TEST_SUITE_END();
