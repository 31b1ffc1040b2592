// SPDX-License-Identifier: MIT
#include "json_config.hpp"

#include "fake_host.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

namespace ps = offload::plugin_support;
using offload::plugin_support::testing::failure_of;

namespace {

const nlohmann::json k_config = {
    {"name", "value"}, {"none", nullptr},   {"number", 3},         {"flag", true},
    {"env", {{"A", "1"}, {"B", "2"}}},      {"list", {"x", "y"}}, {"bad_env", {{"A", 1}}},
    {"huge", UINT64_MAX},
};

} // namespace

TEST_SUITE_BEGIN("plugin_support");

TEST_CASE("plugin_support::json_config getters read present members and fall back otherwise") {
  CHECK(ps::optional_string(k_config, "name") == "value");
  CHECK_FALSE(ps::optional_string(k_config, "none").has_value());
  CHECK_FALSE(ps::optional_string(k_config, "absent").has_value());
  CHECK(ps::string_or(k_config, "absent", "fallback") == "fallback");
  CHECK(ps::string_table(k_config, "env") == std::map<std::string, std::string>{{"A", "1"}, {"B", "2"}});
  CHECK(ps::string_table(k_config, "absent").empty());
  CHECK(ps::string_list(k_config, "list") == std::vector<std::string>{"x", "y"});
  CHECK(ps::bool_or(k_config, "flag", false));
  CHECK(ps::bool_or(k_config, "absent", true));
  CHECK(ps::int_or(k_config, "number", 0) == 3);
  CHECK(ps::int_or(k_config, "none", -1) == -1);
}

TEST_CASE("plugin_support::json_config getters reject wrong types naming the key") {
  const auto string_failure = failure_of([] { ps::optional_string(k_config, "number"); });
  CHECK(string_failure.code() == OFFLOAD_EINVAL);
  CHECK(string_failure.key() == "number");
  CHECK(std::string(string_failure.what()) == "'number' must be a string, not number");

  const auto table_failure = failure_of([] { ps::string_table(k_config, "bad_env"); });
  CHECK(table_failure.code() == OFFLOAD_EINVAL);
  CHECK(table_failure.key() == "bad_env");
  CHECK(std::string(table_failure.what()).find("'A'") != std::string::npos);

  CHECK(failure_of([] { ps::string_list(k_config, "name"); }).key() == "name");
  CHECK(failure_of([] { ps::bool_or(k_config, "name", false); }).key() == "name");
  CHECK(failure_of([] { ps::int_or(k_config, "flag", 0); }).key() == "flag");
  CHECK(failure_of([] { ps::int_or(k_config, "huge", 0); }).key() == "huge");
}

TEST_CASE("plugin_support::read_request reports wrong members as a malformed request") {
  const auto failure = failure_of([] {
    ps::read_request("build_command request", [] { return ps::string_list(k_config, "flag"); });
  });
  CHECK(failure.code() == OFFLOAD_EINVAL);
  CHECK(failure.key().empty());
  CHECK(std::string(failure.what()) ==
        "malformed build_command request: 'flag' must be an array of strings, not boolean");
  CHECK(ps::read_request("x", [] { return ps::int_or(k_config, "number", 0); }) == 3);
}

TEST_CASE("plugin_support::parse_object accepts objects only") {
  CHECK(ps::parse_object(R"({"a": 1})", "request")["a"] == 1);
  const auto broken = failure_of([] { ps::parse_object("{", "discover request"); });
  CHECK(broken.code() == OFFLOAD_EINVAL);
  CHECK(std::string(broken.what()).rfind("discover request is not valid JSON", 0) == 0);
  CHECK(failure_of([] { ps::parse_object("[1]", "request"); }).code() == OFFLOAD_EINVAL);
}

TEST_CASE("plugin_support::json_text is compact and survives invalid UTF-8") {
  CHECK(ps::json_text({{"id", "a b"}}) == R"({"id":"a b"})");
  std::string text;
  CHECK_NOTHROW(text = ps::json_text({{"id", std::string("bad\xff")}}));
  CHECK(nlohmann::json::parse(text)["id"].get<std::string>().rfind("bad", 0) == 0);
}

TEST_SUITE_END();
