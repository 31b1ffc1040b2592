// SPDX-License-Identifier: MIT
#include "config/config.hpp"

#include <doctest/doctest.h>

using offload::config::closest_match;

TEST_SUITE_BEGIN("config");

TEST_CASE("config::closest_match finds likely typos") {
  const std::vector<std::string> group_keys = {"retry_count", "filters", "schedule_individual"};
  CHECK(closest_match("retry_cont", group_keys) == "retry_count");
  CHECK(closest_match("filter", group_keys) == "filters");
  CHECK(closest_match("retyr_count", group_keys) == "retry_count");
  CHECK(closest_match("Filters", group_keys) == "filters");
  CHECK(closest_match("max_paralel", {"max_parallel", "max_parallel_collection"}) == "max_parallel");
  CHECK(closest_match("grups", {"offload", "provider", "framework", "groups", "report"}) == "groups");
}

TEST_CASE("config::closest_match returns nothing for unrelated words") {
  const std::vector<std::string> keys = {"retry_count", "filters", "schedule_individual"};
  CHECK(closest_match("xyz", keys).empty());
  CHECK(closest_match("timeout", keys).empty());
  CHECK(closest_match("", keys).empty());
  CHECK(closest_match("filters", {}).empty());
}

TEST_SUITE_END();
