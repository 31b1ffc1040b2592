// SPDX-License-Identifier: MIT
// Errors from plugin calls keep their OFFLOAD_E* code, and the code decides retries.
#include "loaded.hpp"

#include <doctest/doctest.h>

using namespace offload;
using namespace offload::plugin::testing;

namespace {

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
  const auto reg = fixture_plugins();
  auto created = create(*reg, OFFLOAD_KIND_FRAMEWORK, "sdk-c", {{"greeting", "bye"}});
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().code == OFFLOAD_EINVAL);
  CHECK(created.error().message.find("expected the defaults") != std::string::npos);
  CHECK_FALSE(plugin::worth_retrying(created.error()));

  // The host's own check of the section against the option table.
  auto mistyped = create(*reg, OFFLOAD_KIND_FRAMEWORK, "sdk-c", {{"greeting", 3}});
  REQUIRE_FALSE(mistyped.ok());
  CHECK(mistyped.error().code == OFFLOAD_EINVAL);
}

TEST_CASE("plugin::Framework::map_results: a case name that is not UTF-8 is no exception") {
  const auto reg = fixture_plugins();
  const auto fw = framework(*reg, "sdk-c");
  // Read from a runner's JUnit file, so any bytes at all.
  auto mapped = fw->map_results({"c_alpha"}, {{"c_alpha", ""}, {"c_\xff", ""}});
  REQUIRE_MESSAGE(mapped.ok(), mapped.error().message);
  REQUIRE(mapped->size() == 2);
  CHECK((*mapped)[0] == "c_alpha");
}

TEST_SUITE_END();
