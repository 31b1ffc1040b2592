// SPDX-License-Identifier: MIT
#include "default_provider.hpp"
#include "default_provider_factory.hpp"
#include "bundled_host.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <toml.hpp>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

using offload::plugins::DefaultProvider;
using offload::plugin_support::testing::BundledHost;
using offload::plugin_support::testing::FakeHost;
using offload::plugin_support::testing::read_file;
using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::write_file;
using offload::plugin_support::testing::creation_failure;
using offload::plugin_support::testing::failure_of;
namespace fs = std::filesystem;

namespace {

/// Templates for a "remote" that is a directory per sandbox under `base`.
nlohmann::json config_in(const fs::path& base, const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json config = {
      {"create_command", "d=$(mktemp -d " + base.string() + "/sb-XXXXXX) && echo 'creating...' && echo \"$d\""},
      {"exec_command", "cd {sandbox_id} && sh -c {command}"},
      {"download_command", "for p in {paths}; do cp -- \"${p%%:*}\" \"${p#*:}\" || exit 1; done"},
      {"destroy_command", "rm -rf {sandbox_id}"},
      {"timeout_secs", 60},
      {"scratch_dir", "{sandbox_id}/scratch"},
  };
  config.update(extra);
  return config;
}

struct Created {
  std::unique_ptr<DefaultProvider::Sandbox> sandbox;
  nlohmann::json info;
};

Created create(DefaultProvider& provider, const nlohmann::json& request) {
  std::string info;
  auto sandbox = provider.create_sandbox(request.dump(), info, nullptr);
  return {std::move(sandbox), nlohmann::json::parse(info)};
}

struct Ran {
  int32_t status;
  std::vector<std::string> out;
  std::vector<std::string> err;
};

Ran exec(DefaultProvider& provider, DefaultProvider::Sandbox& sandbox, const nlohmann::json& command) {
  offload::sdk::Collector output;
  const int32_t status = provider.exec(sandbox, command.dump(), output.sink(), nullptr);
  return {status, output.out(), output.err()};
}

nlohmann::json download_request(const std::string& remote, const fs::path& local) {
  return {{"files", {{{"remote", remote}, {"local", local.string()}}}}};
}

} // namespace

TEST_SUITE_BEGIN("remote_plugins");

TEST_CASE("default_provider::create checks the rules between keys and names the key") {
  ScratchDir dir;
  const auto check = [&](const nlohmann::json& extra, const std::string& key, const std::string& words) {
    CAPTURE(extra.dump());
    nlohmann::json config = config_in(dir.path(), extra);
    for (auto it = extra.begin(); it != extra.end(); ++it) {
      if (it.value().is_null()) {
        config.erase(it.key());
      }
    }
    const auto failure = creation_failure<DefaultProvider>(config);
    CHECK(failure.code() == OFFLOAD_EINVAL);
    CHECK(failure.key() == key);
    CHECK(std::string(failure.what()).find(words) != std::string::npos);
  };
  check({{"download_command", nullptr}}, "download_command", "without it no test could get a verdict");
  check({{"create_command", "  "}}, "create_command", "missing or empty");
  check({{"exec_command", "run {sandbox_id}"}}, "exec_command", "must contain {command}");
  check({{"download_command", "get {sandbox_id}"}}, "download_command", "must contain {paths}");
  check({{"create_command", "make {image_id}"}}, "create_command", "no prepare_command");
  check({{"copy_dirs", {"a:/b"}}}, "copy_dirs", "need a prepare_command");
  check({{"prepare_command", "p"}, {"copy_dirs", {"no-colon"}}}, "copy_dirs", "not LOCAL:REMOTE");
  check({{"timeout_secs", 0}}, "timeout_secs", "positive");
  check({{"timeout_secs", 9223372036854775807LL}}, "timeout_secs", "at most 1000000000");
  check({{"env", {{"NOT-OK", "1"}}}}, "env", "NOT-OK");
  check({{"working_dir", (dir.path() / "missing").string()}}, "working_dir", "not a directory");
  check({{"prepare_command", ""}}, "prepare_command", "empty");
}

TEST_CASE("default_provider::@scripts resolve to quoted paths when the provider is made") {
  FakeHost fake;
  ScratchDir scripts;
  const fs::path dir = scripts.path() / "bundled dir";
  fs::create_directories(dir);
  write_file(dir / "local_sandbox.sh", "#!/bin/sh\n");
  const BundledHost host(fake, dir);
  const nlohmann::json config = config_in(scripts.path(), {{"create_command", "@local_sandbox.sh create"},
                                                           {"prepare_command", "x @local_sandbox.sh prepare"}});
  const DefaultProvider provider(host.table(), config.dump());
  const std::string quoted = "'" + (dir / "local_sandbox.sh").string() + "'";
  CHECK(provider.commands().create == quoted + " create");
  CHECK(provider.commands().prepare == "x " + quoted + " prepare");

  nlohmann::json typo = config;
  typo["exec_command"] = "@local_sandbo.sh exec {sandbox_id} {command}";
  const auto failure = failure_of([&] { DefaultProvider(host.table(), typo.dump()); });
  CHECK(failure.code() == OFFLOAD_EINVAL);
  CHECK(failure.key() == "exec_command");
  CHECK(std::string(failure.what()) ==
        "exec_command refers to @local_sandbo.sh, but offload bundles no script 'local_sandbo.sh' "
        "(bundled: local_sandbox.sh)");
}

TEST_CASE("default_provider::a sandbox lives through create, exec, download and destroy") {
  FakeHost host;
  ScratchDir remote;
  ScratchDir local;
  DefaultProvider provider(host.table(), config_in(remote.path(), {{"env", {{"P", "provider"}, {"S", "p"}}}}).dump());
  CHECK(nlohmann::json::parse(provider.describe()) == nlohmann::json({{"remote", true}}));

  // Named references, not `auto [sandbox, info]`: clang 14 cannot capture
  // a structured binding in the lambdas below.
  auto created = create(provider, {{"id", "offload-1-0"},
                                   {"env", {{"S", "sandbox"}, {"C", "s"}, {"OFFLOAD_ROOT", "/local"}}},
                                   {"project_root", "project dir"}});
  auto& sandbox = created.sandbox;
  const auto& info = created.info;
  const fs::path dir = sandbox->id;
  CHECK(dir.parent_path() == remote.path());
  // A fresh private directory inside scratch_dir, named at create (an
  // absolute scratch_dir needs no round trip), made by the first command,
  // gone at destroy.
  const std::string scratch = info.at("scratch_dir").get<std::string>();
  CHECK(info.at("id") == sandbox->id);
  CHECK(fs::path(scratch).parent_path() == dir / "scratch");
  CHECK(fs::path(scratch).filename().string().rfind("offload-", 0) == 0);
  CHECK_FALSE(fs::exists(scratch));
  fs::create_directories(dir / "project dir");
  fs::create_directories(dir / "scratch");

  // Test IDs arrive as argv words and come out intact, never run.
  const std::string canary = (remote.path() / "canary").string();
  const std::vector<std::string> ids = {"with space", "quote'single", "$(touch " + canary + ")",
                                        "`touch " + canary + "`", "semi;colon"};
  nlohmann::json argv = {"printf", "%s\\n"};
  for (const auto& id : ids) {
    argv.push_back(id);
  }
  const Ran printed = exec(provider, *sandbox, {{"argv", argv}, {"timeout_ms", 5000}});
  CHECK(printed.status == 0);
  CHECK(fs::status(scratch).permissions() == fs::perms::owner_all);
  CHECK(printed.out == ids);
  CHECK_FALSE(fs::exists(canary));

  const Ran env = exec(provider, *sandbox,
                       {{"shell", "echo \"$P $S $C $OFFLOAD_ROOT\"; pwd; echo oops >&2; exit 3"},
                        {"env", {{"C", "command"}}}});
  CHECK(env.status == 3);
  CHECK(env.out == std::vector<std::string>{"provider sandbox command project dir", (dir / "project dir").string()});
  CHECK(env.err == std::vector<std::string>{"oops"});

  write_file(dir / "scratch" / "r.xml", "<testsuite/>");
  const fs::path target = local.path() / "r.xml";
  provider.download(*sandbox, download_request(sandbox->id + "/scratch/r.xml", target).dump(), nullptr);
  CHECK(read_file(target) == "<testsuite/>");
  CHECK_FALSE(fs::exists(target.string() + ".offload-partial"));

  const fs::path missing_target = local.path() / "missing.xml";
  const auto missing = failure_of([&] {
    provider.download(*sandbox, download_request(sandbox->id + "/scratch/nope.xml", missing_target).dump(), nullptr);
  });
  CHECK(missing.code() == OFFLOAD_ENOENT);
  CHECK(std::string(missing.what()) ==
        "result file " + sandbox->id + "/scratch/nope.xml does not exist in sandbox " + sandbox->id);
  CHECK_FALSE(fs::exists(missing_target));

  provider.destroy_sandbox(*sandbox);
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("default_provider::a download that fails while the file exists is an I/O error and leaves nothing") {
  FakeHost host;
  ScratchDir remote;
  ScratchDir local;
  DefaultProvider provider(
      host.table(),
      config_in(remote.path(), {{"download_command", "for p in {paths}; do echo partial > \"${p#*:}\"; done; "
                                                     "echo 'connection reset' >&2; exit 4"}})
          .dump());
  auto sandbox = create(provider, {{"id", "x"}}).sandbox;
  write_file(fs::path(sandbox->id) / "r.xml", "<testsuite/>");
  const fs::path target = local.path() / "r.xml";
  const auto failure = failure_of(
      [&] { provider.download(*sandbox, download_request(sandbox->id + "/r.xml", target).dump(), nullptr); });
  CHECK(failure.code() == OFFLOAD_EIO);
  CHECK(std::string(failure.what()) == "download_command exited with status 4: connection reset");
  CHECK(fs::is_empty(local.path()));
  provider.destroy_sandbox(*sandbox);
}

TEST_CASE("default_provider::create failures are retryable and say why") {
  FakeHost host;
  ScratchDir remote;
  DefaultProvider failing(host.table(),
                          config_in(remote.path(), {{"create_command", "echo 'quota exceeded' >&2; exit 7"}}).dump());
  const auto failed = failure_of([&] { create(failing, {{"id", "x"}}); });
  CHECK(failed.code() == OFFLOAD_EAGAIN);
  CHECK(std::string(failed.what()) == "create_command exited with status 7: quota exceeded");

  DefaultProvider silent(host.table(), config_in(remote.path(), {{"create_command", "true"}}).dump());
  const auto empty = failure_of([&] { create(silent, {{"id", "x"}}); });
  CHECK(empty.code() == OFFLOAD_EIO);
  CHECK(empty.key() == "create_command");
}

TEST_CASE("default_provider::a sandbox whose private scratch directory cannot be made is destroyed at once") {
  FakeHost host;
  ScratchDir remote;
  // Relative: made (and found wanting) at create, where exec_command starts.
  const std::string relative = "../../../../../../../../../../proc/no/such/dir";
  DefaultProvider provider(host.table(), config_in(remote.path(), {{"scratch_dir", relative}}).dump());
  const auto failed = failure_of([&] { create(provider, {{"id", "x"}}); });
  CHECK(failed.code() == OFFLOAD_EAGAIN);
  CHECK(std::string(failed.what()).rfind("cannot make a private directory in scratch_dir '" + relative + "'", 0) == 0);
  CHECK(fs::is_empty(remote.path()));
}

TEST_CASE("default_provider::an absolute scratch_dir that cannot be made fails every command with why") {
  FakeHost host;
  ScratchDir remote;
  DefaultProvider provider(host.table(), config_in(remote.path(), {{"scratch_dir", "/proc/no/such/dir"}}).dump());
  auto created = create(provider, {{"id", "x"}});
  const Ran ran = exec(provider, *created.sandbox, {{"argv", {"echo", "ran"}}});
  CHECK(ran.status == 125);
  CHECK(ran.out.empty());
  REQUIRE_FALSE(ran.err.empty()); // mkdir's own reason, then offload's line
  CHECK(ran.err.back().rfind("offload: cannot make a private directory in scratch_dir '/proc/no/such/dir'", 0) == 0);
}

TEST_CASE("default_provider::a scratch directory someone else made, or a link, is not used") {
  FakeHost host;
  ScratchDir remote;
  ScratchDir elsewhere;
  DefaultProvider provider(host.table(), config_in(remote.path(), {{"scratch_dir", remote.path().string()}}).dump());
  auto created = create(provider, {{"id", "x"}});
  const fs::path scratch = created.info.at("scratch_dir").get<std::string>();
  fs::create_directory_symlink(elsewhere.path(), scratch);
  const Ran ran = exec(provider, *created.sandbox, {{"shell", "echo ran > " + (scratch / "f").string()}});
  CHECK(ran.status == 125);
  CHECK(fs::is_empty(elsewhere.path()));
}

TEST_CASE("default_provider::destroy reports a failing destroy_command") {
  FakeHost host;
  ScratchDir remote;
  DefaultProvider provider(host.table(),
                           config_in(remote.path(), {{"destroy_command", "echo gone? >&2; exit 1"}}).dump());
  auto sandbox = create(provider, {{"id", "x"}}).sandbox;
  const auto failure = failure_of([&] { provider.destroy_sandbox(*sandbox); });
  CHECK(failure.code() == OFFLOAD_EIO);
  CHECK(std::string(failure.what()) == "destroy_command exited with status 1 for sandbox " + sandbox->id + ": gone?");
  fs::remove_all(sandbox->id);
}

TEST_CASE("default_provider::destroy removes the scratch directory first unless destroy_command takes it along") {
  for (const bool takes_it : {false, true}) {
    CAPTURE(takes_it);
    FakeHost host;
    ScratchDir remote;
    // Every exec leaves a line in the log; destroy leaves the sandbox's directory.
    const std::string log = (remote.path() / "execs").string();
    DefaultProvider provider(host.table(), config_in(remote.path(), {{"exec_command", "echo exec >> " + log +
                                                                                          " && cd {sandbox_id} && sh -c {command}"},
                                                                     {"destroy_command", "true"},
                                                                     {"destroy_removes_scratch", takes_it}})
                                               .dump());
    auto created = create(provider, {{"id", "x"}});
    const std::string scratch = created.info.at("scratch_dir").get<std::string>();
    fs::create_directories(fs::path(created.sandbox->id) / "scratch");
    CHECK(exec(provider, *created.sandbox, {{"shell", "true"}}).status == 0);
    REQUIRE(fs::is_directory(scratch));
    provider.destroy_sandbox(*created.sandbox);
    CHECK(fs::exists(scratch) == takes_it);
    CHECK(read_file(log) == (takes_it ? "exec\n" : "exec\nexec\n"));
    fs::remove_all(created.sandbox->id);
  }
}

TEST_CASE("default_provider::prepare passes copy dirs and no_cache and takes the last line") {
  FakeHost host;
  ScratchDir remote;
  write_file(remote.path() / "prepare.sh", "echo building >&2; echo ' im-42 '; echo\n");
  DefaultProvider provider(host.table(),
                           config_in(remote.path(), {{"prepare_command", "sh " + (remote.path() / "prepare.sh").string()},
                                                     {"copy_dirs", {"my dir:/data"}}})
                               .dump());
  const nlohmann::json request = {{"no_cache", true}, {"copy_dirs", {"x:/y"}}};
  CHECK(provider.prepare(request.dump(), nullptr) == "im-42");
  const std::string line = host.specs().back()["argv"][2];
  CHECK(line == "sh " + (remote.path() / "prepare.sh").string() + " --copy-dir='my dir:/data' --copy-dir=x:/y");
  CHECK(host.specs().back()["env"] == nlohmann::json({{"OFFLOAD_NO_CACHE", "1"}}));
  CHECK(std::any_of(host.logs().begin(), host.logs().end(),
                    [](const FakeHost::Logged& l) { return l.message == "prepare_command: building"; }));

  DefaultProvider nothing(host.table(), config_in(remote.path(), {{"prepare_command", "echo"}}).dump());
  CHECK(failure_of([&] { nothing.prepare(R"({"no_cache": false})", nullptr); }).code() == OFFLOAD_EIO);

  DefaultProvider without(host.table(), config_in(remote.path()).dump());
  CHECK_FALSE(without.prepare(R"({"no_cache": false, "copy_dirs": []})", nullptr).has_value());
  CHECK(failure_of([&] { without.prepare(R"({"copy_dirs": ["a:/b"]})", nullptr); }).code() == OFFLOAD_EINVAL);
}

TEST_CASE("default_provider::factory offers prepare and a template that loads as written") {
  const offload_factory& factory = offload::plugins::default_provider_factory();
  CHECK(std::string(factory.name) == "default");
  CHECK(factory.kind == OFFLOAD_KIND_PROVIDER);
  const auto* table = static_cast<const offload_provider_v1*>(factory.iface);
  CHECK((table->prepare != nullptr && table->describe != nullptr));
  nlohmann::json defaults = nlohmann::json::object();
  for (uint32_t i = 0; i < factory.option_count; ++i) {
    const offload_option& option = factory.options[i];
    if (option.default_json != nullptr) {
      defaults[option.name] = nlohmann::json::parse(option.default_json);
    }
  }
  std::istringstream text(std::string("[provider]\ntype = \"default\"\n") + factory.config_template);
  const auto section = toml::find(toml::parse(text, "template"), "provider");
  nlohmann::json config = defaults;
  for (const auto& [key, value] : section.as_table()) {
    if (key != "type") {
      config[key] = value.is_integer()   ? nlohmann::json(value.as_integer())
                    : value.is_boolean() ? nlohmann::json(value.as_boolean())
                                         : nlohmann::json(value.as_string().str);
    }
  }
  FakeHost fake;
  ScratchDir scripts;
  write_file(scripts.path() / "local_sandbox.sh", "");
  const BundledHost host(fake, scripts.path());
  void* self = nullptr;
  const std::string json = config.dump();
  REQUIRE(factory.create(host.table(), json.data(), json.size(), &self, fake.error_slot()) == OFFLOAD_OK);
  table->destroy(self);
}

TEST_SUITE_END();
