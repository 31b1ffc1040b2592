// SPDX-License-Identifier: MIT
#include "config/config.hpp"

#include <doctest/doctest.h>

#include <iterator>
#include <span>

using namespace offload::config;

namespace {

constexpr offload_option option(uint32_t type, uint32_t flags, const char* name,
                                const char* default_json) {
  return offload_option{sizeof(offload_option), type, flags, 0, name, default_json, "test option"};
}

// Shaped like the default framework's table, plus one key of every type.
const offload_option framework_options[] = {
    option(OFFLOAD_OPTION_STRING, OFFLOAD_OPTION_REQUIRED, "discover_command", nullptr),
    option(OFFLOAD_OPTION_STRING, OFFLOAD_OPTION_REQUIRED, "run_command", nullptr),
    option(OFFLOAD_OPTION_STRING, 0, "test_id_format", R"("{name}")"),
    option(OFFLOAD_OPTION_STRING, 0, "working_dir", nullptr),
    option(OFFLOAD_OPTION_INTEGER, 0, "timeout_secs", "3600"),
    option(OFFLOAD_OPTION_BOOLEAN, 0, "include_cwd", "false"),
    option(OFFLOAD_OPTION_FLOAT, 0, "cpu_cores", "1.0"),
    option(OFFLOAD_OPTION_STRING_LIST, 0, "copy_dirs", "[]"),
    option(OFFLOAD_OPTION_STRING_TABLE, 0, "env", "{}"),
};

const std::string head = "[offload]\n"
                         "[provider]\n"
                         "type = \"local\"\n"
                         "[groups.all]\n"
                         "[framework]\n"
                         "type = \"default\"\n";
const std::string commands = "discover_command = \"ls {filters}\"\n"
                             "run_command = \"run {tests}\"\n";

PluginSection framework_of(const std::string& text) {
  auto config = parse(text, "offload.toml");
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  return config->framework;
}

std::string check_error(const std::string& text) {
  auto checked = check_plugin_section(framework_of(text), framework_options);
  REQUIRE_FALSE(checked.ok());
  return checked.error().message;
}

} // namespace

TEST_SUITE_BEGIN("config");

TEST_CASE("config::check_plugin_section fills defaults and keeps given values") {
  auto checked = check_plugin_section(
      framework_of(head + commands + "cpu_cores = 2\nenv = { A = \"1\" }\n"), framework_options);
  REQUIRE_MESSAGE(checked.ok(), checked.error().message);
  const nlohmann::json expected = {
      {"discover_command", "ls {filters}"},
      {"run_command", "run {tests}"},
      {"test_id_format", "{name}"},
      {"timeout_secs", 3600},
      {"include_cwd", false},
      {"cpu_cores", 2},
      {"copy_dirs", nlohmann::json::array()},
      {"env", {{"A", "1"}}},
  };
  CHECK(*checked == expected);
  CHECK_FALSE(checked->contains("type"));
  CHECK_FALSE(checked->contains("working_dir"));
}

TEST_CASE("config::check_plugin_section reports unknown keys with a suggestion") {
  CHECK(check_error(head + commands + "\n\ntest_id_fromat = \"{name}\"\n") ==
        "offload.toml:11: unknown key 'framework.test_id_fromat'; did you mean 'test_id_format'?");
  const std::string listed = check_error(head + commands + "xyz = 1\n");
  CHECK(listed.rfind("offload.toml:9: unknown key 'framework.xyz'; expected one of: discover_command, "
                     "run_command, test_id_format, ",
                     0) == 0);
}

TEST_CASE("config::check_plugin_section reports the first unknown key in file order") {
  CHECK(check_error(head + "zzz_first = 1\n" + commands + "aaa_second = 2\n")
            .rfind("offload.toml:7: unknown key 'framework.zzz_first'", 0) == 0);
}

TEST_CASE("config::check_plugin_section rejects a type without keys being given keys") {
  auto config = parse(head + "color = \"red\"\n", "offload.toml");
  REQUIRE(config.ok());
  auto checked = check_plugin_section(config->framework, {});
  REQUIRE_FALSE(checked.ok());
  CHECK(checked.error().message ==
        "offload.toml:7: unknown key 'framework.color'; framework type 'default' takes no keys "
        "besides 'type'");
}

TEST_CASE("config::check_plugin_section checks value types") {
  CHECK(check_error(head + commands + "timeout_secs = \"long\"\n") ==
        "offload.toml:9: 'framework.timeout_secs' must be an integer, got string \"long\"");
  CHECK(check_error(head + commands + "timeout_secs = 1.5\n") ==
        "offload.toml:9: 'framework.timeout_secs' must be an integer, got float 1.5");
  CHECK(check_error(head + commands + "include_cwd = \"yes\"\n") ==
        "offload.toml:9: 'framework.include_cwd' must be a boolean (true or false), got string "
        "\"yes\"");
  CHECK(check_error(head + commands + "cpu_cores = \"two\"\n") ==
        "offload.toml:9: 'framework.cpu_cores' must be a number, got string \"two\"");
  CHECK(check_error(head + commands + "working_dir = [\"a\"]\n") ==
        "offload.toml:9: 'framework.working_dir' must be a string, got array");
  CHECK(check_error(head + commands + "copy_dirs = [\"a:b\", 3]\n") ==
        "offload.toml:9: 'framework.copy_dirs' must be an array of strings, got an array holding "
        "integer 3 at index 1");
  CHECK(check_error(head + commands + "copy_dirs = \"a:b\"\n") ==
        "offload.toml:9: 'framework.copy_dirs' must be an array of strings, got string \"a:b\"");
}

TEST_CASE("config::check_plugin_section rejects a string table holding non-strings") {
  CHECK(check_error(head + commands + "[framework.env]\nA = \"1\"\nB = 2\n") ==
        "offload.toml:9: 'framework.env' must be a table of strings, got a table holding integer 2 "
        "for 'B'");
  CHECK(check_error(head + commands + "env = [\"A=1\"]\n") ==
        "offload.toml:9: 'framework.env' must be a table of strings, got array");
}

TEST_CASE("config::check_plugin_section reports a missing required key at the header") {
  CHECK(check_error(head + "discover_command = \"ls\"\n") ==
        "offload.toml:5: missing required key 'framework.run_command'");
}

TEST_CASE("config::check_plugin_section reports an invalid default of the plugin") {
  const offload_option broken[] = {option(OFFLOAD_OPTION_INTEGER, 0, "limit", "{oops")};
  auto checked = check_plugin_section(framework_of(head), broken);
  REQUIRE_FALSE(checked.ok());
  CHECK(checked.error().message.find("invalid default for 'framework.limit'") != std::string::npos);
}

TEST_SUITE_END();
