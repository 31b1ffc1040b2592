// SPDX-License-Identifier: MIT
// Errors from the real default provider keep their OFFLOAD_E* code through
// the core wrappers; built only when that plugin is.
#include "loaded.hpp"

#include <doctest/doctest.h>

using namespace offload;
using namespace offload::plugin::testing;

TEST_SUITE_BEGIN("plugin");

TEST_CASE("plugin::Provider::create_sandbox: a failed create_command is EAGAIN, worth retrying") {
  const auto reg = real_plugins();
  const auto shell = provider(*reg, "default",
                              {{"create_command", "echo no capacity >&2; exit 3"},
                               {"exec_command", "sh -c {command}"},
                               {"download_command", "true {paths}"},
                               {"destroy_command", "true"}});
  auto sandbox = shell->create_sandbox({"s1", std::nullopt, {}, std::nullopt}, process::CancelToken());
  REQUIRE_FALSE(sandbox.ok());
  CHECK(sandbox.error().code == OFFLOAD_EAGAIN);
  CHECK(sandbox.error().message.find("no capacity") != std::string::npos);
  CHECK(plugin::worth_retrying(sandbox.error()));
}

TEST_SUITE_END();
