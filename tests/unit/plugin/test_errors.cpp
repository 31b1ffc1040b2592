// SPDX-License-Identifier: MIT
// Errors from plugin calls keep their OFFLOAD_E* code, and the code decides retries.
#include "plugin/instance.hpp"
#include "plugin/registry.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;
using namespace offload;

namespace {

fs::path build_root() {
  const char* root = std::getenv("OFFLOAD_BUILD_ROOT");
  REQUIRE_MESSAGE(root != nullptr, "run through meson test (OFFLOAD_BUILD_ROOT unset)");
  return root;
}

Error coded(int32_t code) {
  Error e{"x"};
  e.code = code;
  return e;
}

} // namespace

TEST_SUITE_BEGIN("plugin");

TEST_CASE("plugin::worth_retrying: EAGAIN and EIO only") {
  CHECK(plugin::worth_retrying(coded(OFFLOAD_EAGAIN)));
  CHECK(plugin::worth_retrying(coded(OFFLOAD_EIO)));
  for (const int32_t code : {0, OFFLOAD_EINVAL, OFFLOAD_ENOTSUP, OFFLOAD_ENOENT, OFFLOAD_EFAULT, OFFLOAD_ENOMEM,
                             OFFLOAD_ETIMEDOUT, OFFLOAD_ECANCELED}) {
    CAPTURE(code);
    CHECK_FALSE(plugin::worth_retrying(coded(code)));
  }
}

TEST_CASE("plugin::create_instance: the plugin's EINVAL reaches the Error, so it is not retried") {
  const auto reg = plugin::Registry::scan({build_root() / "tests" / "plugins"});
  const auto* f = reg->find(OFFLOAD_KIND_FRAMEWORK, "sdk-c");
  REQUIRE(f != nullptr);
  config::PluginSection section;
  section.name = "framework";
  section.type = "sdk-c";
  section.values = {{"greeting", "bye"}};
  auto created = plugin::create_instance(*f, section);
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().code == OFFLOAD_EINVAL);
  CHECK(created.error().message.find("expected the defaults") != std::string::npos);
  CHECK_FALSE(plugin::worth_retrying(created.error()));

  section.values = {{"greeting", 3}}; // the host's own check of the option table
  auto mistyped = plugin::create_instance(*f, section);
  REQUIRE_FALSE(mistyped.ok());
  CHECK(mistyped.error().code == OFFLOAD_EINVAL);
}

TEST_CASE("plugin::Framework::map_results: a case name that is not UTF-8 is no exception") {
  const auto reg = plugin::Registry::scan({build_root() / "tests" / "plugins"});
  const auto* f = reg->find(OFFLOAD_KIND_FRAMEWORK, "sdk-c");
  REQUIRE(f != nullptr);
  config::PluginSection section;
  section.name = "framework";
  section.type = "sdk-c";
  auto created = plugin::create_instance(*f, section);
  REQUIRE(created.ok());
  plugin::Framework fw(*f, created->first);
  // Read from a runner's JUnit file, so any bytes at all.
  auto mapped = fw.map_results({"c_alpha"}, {{"c_alpha", ""}, {"c_\xff", ""}});
  REQUIRE_MESSAGE(mapped.ok(), mapped.error().message);
  REQUIRE(mapped->size() == 2);
  CHECK((*mapped)[0] == "c_alpha");
}

TEST_CASE("plugin::Provider::create_sandbox: a failed create_command is EAGAIN, worth retrying") {
  const auto reg = plugin::Registry::scan({build_root() / "plugins"});
  const auto* f = reg->find(OFFLOAD_KIND_PROVIDER, "default");
  REQUIRE(f != nullptr);
  config::PluginSection section;
  section.name = "provider";
  section.type = "default";
  section.values = {{"create_command", "echo no capacity >&2; exit 3"},
                    {"exec_command", "sh -c {command}"},
                    {"download_command", "true {paths}"},
                    {"destroy_command", "true"}};
  auto created = plugin::create_instance(*f, section);
  REQUIRE_MESSAGE(created.ok(), created.error().message);
  plugin::Provider provider(*f, created->first);
  auto sandbox = provider.create_sandbox({"s1", std::nullopt, {}, std::nullopt}, process::CancelToken());
  REQUIRE_FALSE(sandbox.ok());
  CHECK(sandbox.error().code == OFFLOAD_EAGAIN);
  CHECK(sandbox.error().message.find("no capacity") != std::string::npos);
  CHECK(plugin::worth_retrying(sandbox.error()));
}

TEST_SUITE_END();
