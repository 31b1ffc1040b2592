// SPDX-License-Identifier: MIT
#include "config/config.hpp"

#include <doctest/doctest.h>

#include "../temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>

using namespace offload::config;

namespace {

// Valid sections to append after the part a test is about. Line numbers in
// the tests count from the first line of the text they pass.
const std::string plugins = "[provider]\ntype = \"local\"\n[framework]\ntype = \"pytest\"\n";
const std::string one_group = "[groups.all]\n";

std::string parse_error(std::string_view text) {
  auto result = parse(text, "offload.toml");
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

// Sets an environment variable for one test and restores the old state.
class ScopedEnv {
public:
  ScopedEnv(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) {
      m_old = old;
    }
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (m_old) {
      setenv(m_name.c_str(), m_old->c_str(), 1);
    } else {
      unsetenv(m_name.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  std::string m_name;
  std::optional<std::string> m_old;
};

} // namespace

using offload::testing::TempDir;

TEST_SUITE_BEGIN("config");

TEST_CASE("config::parse applies documented defaults") {
  auto config = parse("[offload]\n" + plugins + one_group, "offload.toml");
  REQUIRE(config.ok());
  CHECK(config->path == "offload.toml");
  CHECK(config->offload.max_parallel == 10);
  CHECK(config->offload.test_timeout_secs == 900);
  CHECK_FALSE(config->offload.working_dir.has_value());
  CHECK_FALSE(config->offload.sandbox_project_root.has_value());
  CHECK(config->offload.impatiently_requeue_batches);
  CHECK(config->offload.start_before_discovery);
  CHECK(config->offload.max_parallel_collection == 0);
  REQUIRE(config->groups.size() == 1);
  CHECK(config->groups[0].name == "all");
  CHECK(config->groups[0].retry_count == 0);
  CHECK(config->groups[0].filters.empty());
  CHECK_FALSE(config->groups[0].schedule_individual);
  CHECK(config->groups[0].position.line == 6);
  CHECK(config->report.output_dir == "test-results");
  CHECK(config->report.junit);
  CHECK(config->report.junit_file == "junit.xml");
  CHECK(config->provider.name == "provider");
  CHECK(config->provider.type == "local");
  CHECK(config->provider.header.line == 2);
  CHECK(config->provider.values == nlohmann::json::object());
  CHECK(config->framework.name == "framework");
  CHECK(config->framework.type == "pytest");
  CHECK(config->framework.header.line == 4);
}

TEST_CASE("config::parse reads every key of the fixed tables") {
  const std::string text = "[offload]\n"
                           "max_parallel = 4\n"
                           "test_timeout_secs = 60\n"
                           "working_dir = \"/src\"\n"
                           "sandbox_project_root = \"/app\"\n"
                           "impatiently_requeue_batches = false\n"
                           "start_before_discovery = false\n"
                           "max_parallel_collection = 3\n" +
                           plugins +
                           "[groups.unit]\n"
                           "retry_count = 2\n"
                           "filters = \"-m 'not slow'\"\n"
                           "schedule_individual = true\n"
                           "[report]\n"
                           "output_dir = \"out\"\n"
                           "junit = false\n"
                           "junit_file = \"results.xml\"\n";
  auto config = parse(text, "offload.toml");
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  CHECK(config->offload.max_parallel == 4);
  CHECK(config->offload.test_timeout_secs == 60);
  CHECK(config->offload.working_dir == "/src");
  CHECK(config->offload.sandbox_project_root == "/app");
  CHECK_FALSE(config->offload.impatiently_requeue_batches);
  CHECK_FALSE(config->offload.start_before_discovery);
  CHECK(config->offload.max_parallel_collection == 3);
  REQUIRE(config->groups.size() == 1);
  CHECK(config->groups[0].retry_count == 2);
  CHECK(config->groups[0].filters == "-m 'not slow'");
  CHECK(config->groups[0].schedule_individual);
  CHECK(config->report.output_dir == "out");
  CHECK_FALSE(config->report.junit);
  CHECK(config->report.junit_file == "results.xml");
}

TEST_CASE("config::parse reports an unknown key with its line and a suggestion") {
  const std::string text = "[offload]\n"
                           "test_timeout_secs = 60\n"
                           "max_paralel = 4\n" +
                           plugins + one_group;
  CHECK(parse_error(text) == "offload.toml:3: unknown key 'offload.max_paralel'; did you mean 'max_parallel'?");
}

TEST_CASE("config::parse refuses text that is not UTF-8 with its line, before the TOML parser reads it") {
  // The shape the fuzzer found: a literal-string key holding invalid bytes.
  const std::string text = "[offload]\nmax_parallel = 4\n'The s\xcbr'iptxa = \"\xff\xff\xff\n" + plugins + one_group;
  CHECK(parse_error(text) == "offload.toml:3: not UTF-8 text (byte 33); a TOML file must be UTF-8");
}

TEST_CASE("config::parse lists the known keys when nothing is close") {
  const std::string message = parse_error("[offload]\n" + plugins + one_group + "[report]\nxyz = 1\n");
  CHECK(message == "offload.toml:8: unknown key 'report.xyz'; expected one of: output_dir, junit, junit_file");
}

TEST_CASE("config::parse rejects values of the wrong type or range") {
  CHECK(parse_error("[offload]\n\n\nmax_parallel = \"four\"\n" + plugins + one_group) ==
        "offload.toml:4: 'offload.max_parallel' must be an integer ≥ 1, got string \"four\"");
  CHECK(parse_error("[offload]\nmax_parallel = 0\n" + plugins + one_group) ==
        "offload.toml:2: 'offload.max_parallel' must be an integer ≥ 1, got integer 0");
  CHECK(parse_error("[offload]\ntest_timeout_secs = 1.5\n" + plugins + one_group) ==
        "offload.toml:2: 'offload.test_timeout_secs' must be an integer from 1 to 1000000000, got float 1.5");
  CHECK(parse_error("[offload]\nimpatiently_requeue_batches = \"yes\"\n" + plugins + one_group) ==
        "offload.toml:2: 'offload.impatiently_requeue_batches' must be a boolean (true or false), got "
        "string \"yes\"");
  CHECK(parse_error("[offload]\nworking_dir = 3\n" + plugins + one_group) ==
        "offload.toml:2: 'offload.working_dir' must be a string, got integer 3");
  CHECK(parse_error("[offload]\n" + plugins + "[groups.unit]\nretry_count = -1\n") ==
        "offload.toml:7: 'groups.unit.retry_count' must be an integer ≥ 0, got integer -1");
  CHECK(parse_error("[offload]\n" + plugins + one_group + "[report]\njunit = 1\n") ==
        "offload.toml:8: 'report.junit' must be a boolean (true or false), got integer 1");
}

TEST_CASE("config::parse refuses a timeout the clock cannot hold") {
  // Such a discovery_timeout_secs once ended discovery at once, "after
  // -9223372036854775808 s", and such a test_timeout_secs made every batch's
  // timeout negative: the conversions to the clock's units overflowed.
  for (const std::string key : {"test_timeout_secs", "per_test_timeout_secs", "discovery_timeout_secs"}) {
    CAPTURE(key);
    CHECK(parse_error("[offload]\n" + key + " = 9223372036854775807\n" + plugins + one_group) ==
          "offload.toml:2: 'offload." + key + "' must be an integer from 1 to 1000000000, got integer " +
              "9223372036854775807");
    const auto longest = parse("[offload]\n" + key + " = 1000000000\n" + plugins + one_group, "offload.toml");
    CHECK_MESSAGE(longest.ok(), (longest ? "" : longest.error().message));
  }
}

TEST_CASE("config::parse accepts zero where zero is meaningful") {
  auto config = parse("[offload]\nmax_parallel_collection = 0\n" + plugins +
                          "[groups.all]\nretry_count = 0\n",
                      "offload.toml");
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  CHECK(config->offload.max_parallel_collection == 0);
}

TEST_CASE("config::parse reports a missing key at the table header") {
  const std::string text = "[framework]\n"
                           "run_command = \"make test\"\n"
                           "[offload]\n"
                           "[provider]\n"
                           "type = \"local\"\n" +
                           one_group;
  CHECK(parse_error(text) == "offload.toml:1: missing required key 'framework.type'");
  CHECK(parse_error("[offload]\n[provider]\ntype = 7\n[framework]\ntype = \"pytest\"\n" + one_group) ==
        "offload.toml:3: 'provider.type' must be a string naming the provider type, got integer 7");
}

TEST_CASE("config::parse reports missing tables") {
  CHECK(parse_error("[offload]\n[framework]\ntype = \"pytest\"\n" + one_group) ==
        "offload.toml: missing required table [provider]");
  CHECK(parse_error(plugins + one_group) == "offload.toml: missing required table [offload]");
  CHECK(parse_error("[offload]\n" + plugins) ==
        "offload.toml: missing required table [groups]; add at least one group, e.g. [groups.all]");
  CHECK(parse_error("[offload]\n" + plugins + "[groups]\n") ==
        "offload.toml:6: [groups] defines no group; add at least one, e.g. [groups.all]");
}

TEST_CASE("config::parse suggests a name for an unknown table") {
  CHECK(parse_error("[offload]\n" + plugins + one_group + "[grups.x]\nretry_count = 1\n") ==
        "offload.toml:7: unknown table [grups]; did you mean [groups]?");
  CHECK(parse_error("[offload]\n" + plugins + one_group + "[xyz]\n") ==
        "offload.toml:7: unknown table [xyz]; expected one of: offload, provider, framework, groups, "
        "report");
  CHECK(parse_error("max_parallel = 3\n[offload]\n" + plugins + one_group) ==
        "offload.toml:1: unknown top-level key 'max_parallel'; keys belong in one of the tables "
        "[offload, provider, framework, groups, report]");
}

TEST_CASE("config::parse suggests group keys") {
  const std::string head = "[offload]\n" + plugins + "[groups.unit]\n";
  CHECK(parse_error(head + "retry_cont = 2\n") ==
        "offload.toml:7: unknown key 'groups.unit.retry_cont'; did you mean 'retry_count'?");
  CHECK(parse_error(head + "retry_count = 2\nfilter = \"x\"\n") ==
        "offload.toml:8: unknown key 'groups.unit.filter'; did you mean 'filters'?");
}

TEST_CASE("config::parse keeps groups in file order") {
  const std::string text = "[offload]\n" + plugins +
                           "[groups.zeta]\n"
                           "[groups.alpha]\n"
                           "retry_count = 1\n"
                           "[groups.mid]\n"
                           "[groups.beta]\n";
  auto config = parse(text, "offload.toml");
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  REQUIRE(config->groups.size() == 4);
  CHECK(config->groups[0].name == "zeta");
  CHECK(config->groups[1].name == "alpha");
  CHECK(config->groups[1].retry_count == 1);
  CHECK(config->groups[2].name == "mid");
  CHECK(config->groups[3].name == "beta");
  CHECK(config->groups[3].position.line == 10);
}

TEST_CASE("config::parse rejects bad group names and non-table groups") {
  CHECK(parse_error("[offload]\n" + plugins + "[groups.\"a b\"]\n") ==
        "offload.toml:6: invalid group name \"a b\"; expected letters, digits, '_', '.' or '-'");
  CHECK(parse_error("[offload]\n" + plugins + "[groups.\"\"]\n").find("invalid group name \"\"") !=
        std::string::npos);
  CHECK(parse_error("[offload]\n" + plugins + "[groups]\nunit = 3\n") ==
        "offload.toml:7: 'groups.unit' must be a table [groups.unit], got integer 3");
  auto config = parse("[offload]\n" + plugins + "[groups.\"py-3.11_x\"]\n", "offload.toml");
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  CHECK(config->groups[0].name == "py-3.11_x");
}

TEST_CASE("config::parse checks report.junit_file is a plain file name") {
  CHECK(parse_error("[offload]\n" + plugins + one_group + "[report]\njunit_file = \"out/j.xml\"\n") ==
        "offload.toml:8: 'report.junit_file' must be a plain file name (it is written inside "
        "report.output_dir), got \"out/j.xml\"");
  CHECK(parse_error("[offload]\n" + plugins + one_group + "[report]\njunit_file = \"..\"\n")
            .find("offload.toml:8: 'report.junit_file' must be a plain file name") == 0);
}

TEST_CASE("config::parse turns invalid TOML into one line with its position") {
  const std::string message = parse_error("[offload]\nmax_parallel = 4\n\nworking_dir = \n" + plugins);
  CHECK(message == "offload.toml:4: invalid TOML: missing value after key-value separator '=' "
                   "(expected value, but got nothing)");
  CHECK(parse_error("[offload]\nmax_parallel = tru\n") ==
        "offload.toml:2: invalid TOML: the next token is not a boolean");

  const std::string twice = parse_error("[offload]\nmax_parallel = 4\nmax_parallel = 5\n");
  CHECK(twice.rfind("offload.toml:3: invalid TOML: ", 0) == 0);
  CHECK(twice.find("already exists") != std::string::npos);
  CHECK(twice.find('\n') == std::string::npos);
}

TEST_CASE("config::parse keeps plugin sections as JSON with key positions") {
  const std::string text = "[offload]\n"
                           "[provider]\n"
                           "type = \"default\"\n"
                           "timeout_secs = 600\n"
                           "cpu_cores = 0.5\n"
                           "include_cwd = true\n"
                           "copy_dirs = [\n"
                           "  \"a:/a\",\n"
                           "  \"b:/b\"]\n"
                           "when = 1979-05-27\n"
                           "[provider.env]\n"
                           "A = \"1\"\n"
                           "[framework]\n"
                           "type = \"pytest\"\n"
                           "nested = { list = [1, { deep = \"x\" }] }\n" +
                           one_group;
  auto config = parse(text, "offload.toml");
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  const PluginSection& provider = config->provider;
  CHECK(provider.type == "default");
  CHECK_FALSE(provider.values.contains("type"));
  CHECK(provider.values["timeout_secs"] == 600);
  CHECK(provider.values["timeout_secs"].is_number_integer());
  CHECK(provider.values["cpu_cores"] == 0.5);
  CHECK(provider.values["include_cwd"] == true);
  CHECK(provider.values["copy_dirs"] == nlohmann::json::array({"a:/a", "b:/b"}));
  CHECK(provider.values["when"] == "1979-05-27");
  CHECK(provider.values["env"] == nlohmann::json{{"A", "1"}});
  CHECK(provider.where("timeout_secs").line == 4);
  CHECK(provider.where("copy_dirs").line == 7);
  CHECK(provider.where("env").line == 11);
  CHECK(provider.where("absent").line == 2);
  CHECK(provider.where("absent").file == "offload.toml");
  CHECK(config->framework.values["nested"] ==
        nlohmann::json::parse(R"({"list": [1, {"deep": "x"}]})"));
  CHECK(config->framework.where("nested").line == 15);
}

TEST_CASE("config::parse expands environment variables in every string") {
  ScopedEnv root("OFFLOAD_CFG_TEST_ROOT", "/srv/app");
  ScopedEnv token("OFFLOAD_CFG_TEST_TOKEN", "secret");
  ScopedEnv unset("OFFLOAD_CFG_TEST_UNSET", nullptr);
  const std::string text = "[offload]\n"
                           "sandbox_project_root = \"${OFFLOAD_CFG_TEST_ROOT}\"\n"
                           "working_dir = \"${OFFLOAD_CFG_TEST_UNSET:-/tmp/fallback}\"\n"
                           "[provider]\n"
                           "type = \"local\"\n"
                           "copy_dirs = [\"${OFFLOAD_CFG_TEST_ROOT}:/app\"]\n"
                           "[provider.env]\n"
                           "TOKEN = \"${OFFLOAD_CFG_TEST_TOKEN}\"\n"
                           "PRICE = \"$$5 and $HOME\"\n"
                           "[framework]\n"
                           "type = \"pytest\"\n"
                           "deep = { list = [{ v = \"${OFFLOAD_CFG_TEST_TOKEN}\" }] }\n"
                           "[groups.all]\n"
                           "filters = \"--root=${OFFLOAD_CFG_TEST_ROOT}\"\n"
                           "[report]\n"
                           "output_dir = \"${OFFLOAD_CFG_TEST_ROOT}/results\"\n";
  auto config = parse(text, "offload.toml");
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  CHECK(config->offload.sandbox_project_root == "/srv/app");
  CHECK(config->offload.working_dir == "/tmp/fallback");
  CHECK(config->provider.values["copy_dirs"][0] == "/srv/app:/app");
  CHECK(config->provider.values["env"]["TOKEN"] == "secret");
  CHECK(config->provider.values["env"]["PRICE"] == "$5 and $HOME");
  CHECK(config->framework.values["deep"]["list"][0]["v"] == "secret");
  CHECK(config->groups[0].filters == "--root=/srv/app");
  CHECK(config->report.output_dir == "/srv/app/results");
}

TEST_CASE("config::parse reports expansion errors at the key") {
  ScopedEnv unset("OFFLOAD_CFG_TEST_MISSING", nullptr);
  const std::string head = "[offload]\n"
                           "[framework]\n"
                           "type = \"pytest\"\n"
                           "[groups.all]\n"
                           "[provider]\n"
                           "type = \"local\"\n"
                           "[provider.env]\n"
                           "OTHER = \"x\"\n";
  CHECK(parse_error(head + "TOKEN = \"${OFFLOAD_CFG_TEST_MISSING}\"\n") ==
        "offload.toml:9: provider.env.TOKEN: undefined environment variable 'OFFLOAD_CFG_TEST_MISSING'");
  CHECK(parse_error(head + "list = [\"ok\",\n  \"${OFFLOAD_CFG_TEST_MISSING}\"]\n") ==
        "offload.toml:10: provider.env.list[1]: undefined environment variable "
        "'OFFLOAD_CFG_TEST_MISSING'");
  CHECK(parse_error("[offload]\nworking_dir = \"${}\"\n" + plugins + one_group) ==
        "offload.toml:2: offload.working_dir: empty variable name in '${}'; expected ${NAME} or "
        "${NAME:-default}");
  CHECK(parse_error("[offload]\n" + plugins + "[groups.all]\nfilters = \"${OFFLOAD_CFG_TEST_MISSING\"\n") ==
        "offload.toml:7: groups.all.filters: unclosed '${OFFLOAD_CFG_TEST_MISSING'; expected ${NAME} "
        "or ${NAME:-default}");
  CHECK(parse_error("[offload]\n[provider]\ntype = \"${OFFLOAD_CFG_TEST_MISSING}\"\n[framework]\n"
                 "type = \"pytest\"\n" +
                 one_group) ==
        "offload.toml:3: provider.type: undefined environment variable 'OFFLOAD_CFG_TEST_MISSING'");
}

TEST_CASE("config::load reads a real file") {
  TempDir dir;
  const auto path = (dir.path() / "offload.toml").string();
  {
    std::ofstream out(path);
    out << "[offload]\nmax_parallel = 7\n" << plugins << "[groups.unit]\n[groups.slow]\nretry_count = 3\n";
  }
  auto config = load(path);
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  CHECK(config->path == path);
  CHECK(config->offload.max_parallel == 7);
  REQUIRE(config->groups.size() == 2);
  CHECK(config->groups[1].name == "slow");
  CHECK(config->groups[1].retry_count == 3);
  CHECK(config->provider.header.file == path);

  {
    std::ofstream out(path);
    out << "[offload]\nmax_parallel = \"x\"\n" << plugins << one_group;
  }
  auto bad = load(path);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.rfind(path + ":2: 'offload.max_parallel'", 0) == 0);
}

TEST_CASE("config::load reports a file it cannot read") {
  TempDir dir;
  const auto path = (dir.path() / "missing.toml").string();
  auto config = load(path);
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().message == "cannot read config '" + path + "': No such file or directory");

  auto directory = load(dir.path().string());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.error().message.rfind("cannot read config '" + dir.path().string() + "': ", 0) == 0);
}

TEST_CASE("config::to_string formats a position") {
  CHECK(to_string(Position{"offload.toml", 12}) == "offload.toml:12");
  CHECK(to_string(Position{"offload.toml", 0}) == "offload.toml");
}

TEST_SUITE_END();
