// SPDX-License-Identifier: MIT
// The ABI 1.1 calls through the core wrappers and real plugin files.
#include "loaded.hpp"

#include <doctest/doctest.h>

using namespace offload;

using namespace offload::plugin::testing;

TEST_SUITE_BEGIN("plugin");

TEST_CASE("plugin::Framework::worker_command: the command, or nullopt for a NULL slot and ENOTSUP") {
  const auto reg = fixture_plugins();
  const auto current = framework(*reg, "sdk-c");
  const nlohmann::json request = {{"scratch_dir", "/tmp/s"}, {"fail_fast", false}, {"tests", {"c_alpha"}}};
  auto worker = current->worker_command(request);
  REQUIRE(worker.ok());
  REQUIRE(worker->has_value());
  CHECK((*worker)->spec == nlohmann::json{{"argv", {"cat"}}});
  CHECK_FALSE((*worker)->result_file);

  auto refused = current->worker_command({{"scratch_dir", "/tmp/s"}, {"fail_fast", true}, {"tests", nlohmann::json::array()}});
  REQUIRE(refused.ok());
  CHECK_FALSE(refused->has_value());

  const auto frozen = framework(*reg, "frozen-c"); // a 1.0 table: no slot at all
  auto none = frozen->worker_command(request);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
}

TEST_SUITE_END();
