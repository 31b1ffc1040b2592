// SPDX-License-Identifier: MIT
#include "default_factory.hpp"
#include "default_framework.hpp"
#include "test_matcher.hpp"
#include "fake_host.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <toml.hpp>

#include <filesystem>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

using offload::plugins::DefaultFramework;
using offload::plugins::normalise_test_name;
using offload::plugin_support::testing::FakeHost;
using offload::plugin_support::testing::read_file;
using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::sh_output;
using offload::plugin_support::testing::sh_status;
using offload::plugin_support::testing::write_file;
using offload::plugin_support::testing::creation_failure;
namespace fs = std::filesystem;

namespace {

nlohmann::json config_with(const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json config = {{"discover_command", "printf '%s\\n' a b"},
                           {"run_command", "printf '%s\\n' {tests}"},
                           {"test_id_format", "{name}"}};
  config.update(extra);
  return config;
}

std::unique_ptr<DefaultFramework> make(const FakeHost& host, const nlohmann::json& config) {
  return std::make_unique<DefaultFramework>(host.table(), config.dump());
}

nlohmann::json build(DefaultFramework& framework, const std::vector<std::string>& tests,
                     const std::string& result_file = "/scratch/r.xml") {
  const nlohmann::json request = {{"tests", tests}, {"result_file", result_file}, {"fail_fast", false}};
  return nlohmann::json::parse(framework.build_command(request.dump()));
}

nlohmann::json map(DefaultFramework& framework, const std::vector<std::string>& tests,
                   const nlohmann::json& cases) {
  return nlohmann::json::parse(framework.map_results(nlohmann::json{{"tests", tests}, {"cases", cases}}.dump()));
}

std::vector<std::string> discovered(DefaultFramework& framework, const std::string& filters = "") {
  offload::sdk::Collector tests;
  framework.discover(nlohmann::json{{"group", "unit"}, {"filters", filters}}.dump(), tests.sink(), nullptr);
  std::vector<std::string> ids;
  for (const std::string& record : tests.data()) {
    ids.push_back(nlohmann::json::parse(record).at("id").get<std::string>());
  }
  return ids;
}

offload::sdk::Failure discover_failure(DefaultFramework& framework, const std::string& filters) {
  return offload::plugin_support::testing::failure_of([&] { discovered(framework, filters); });
}

const std::vector<std::string> k_nasty_ids = {
    "plain",        "two words", "it's",       "\"quoted\"", "$(touch pwned)", "`touch pwned`",
    "$HOME",        "a;b|c&d",   "{tests}",    "{result_file}", "glob*",       "h\xc3\xa9llo",
    "line\nbreak",  "back\\slash", "-n",       "#not-a-comment",
};

} // namespace

TEST_SUITE_BEGIN("plugin_support");

TEST_CASE("default_framework::create rejects a run_command without {tests}") {
  const auto failure = creation_failure<DefaultFramework>(config_with({{"run_command", "make test"}}));
  CHECK(failure.code() == OFFLOAD_EINVAL);
  CHECK(failure.key() == "run_command");
  CHECK(std::string(failure.what()) == "run_command must contain {tests}, where the batch's test IDs go");
}

TEST_CASE("default_framework::create rejects a test_id_format without {name} or {classname}") {
  const auto failure = creation_failure<DefaultFramework>(config_with({{"test_id_format", "{file}"}}));
  CHECK(failure.code() == OFFLOAD_EINVAL);
  CHECK(failure.key() == "test_id_format");
  CHECK(creation_failure<DefaultFramework>(config_with({{"test_id_format", "{classname}"}})).code() == 0);
  CHECK(creation_failure<DefaultFramework>(config_with({{"result_file", ""}})).key() == "result_file");
}

TEST_CASE("default_framework::create reports failures through the C table without throwing") {
  FakeHost host;
  const std::string config = config_with({{"run_command", "make test"}}).dump();
  void* instance = nullptr;
  const offload_factory& factory = offload::plugins::default_factory();
  CHECK(factory.create(host.table(), config.data(), config.size(), &instance, host.error_slot()) ==
        OFFLOAD_EINVAL);
  CHECK(instance == nullptr);
  REQUIRE(host.errors().size() == 1);
  CHECK(host.errors()[0].code == OFFLOAD_EINVAL);
  CHECK(host.errors()[0].key == "run_command");
  CHECK(host.errors()[0].message.find("{tests}") != std::string::npos);
}

TEST_CASE("default_framework::describe tells junit from exit-code mode") {
  FakeHost host;
  CHECK(make(host, config_with())->describe() == R"({"results":"exit_code"})");
  CHECK(make(host, config_with({{"run_command", "t {tests} --junit {result_file}"}}))->describe() ==
        R"({"results":"junit"})");
  // A fixed result file is announced, so the host can refuse sandboxes that would share it.
  CHECK(make(host, config_with({{"result_file", "out.xml"}}))->describe() ==
        R"({"fixed_result_file":"out.xml","results":"junit"})");
}

TEST_CASE("default_framework::build_command passes test IDs to the shell unchanged") {
  FakeHost host;
  ScratchDir dir;
  auto framework = make(host, config_with({{"run_command", "cd " + dir.path().string() + " && printf '%s\\036' {tests}"}}));
  const nlohmann::json command = build(*framework, k_nasty_ids);
  CHECK_FALSE(command.contains("result_file"));
  std::string expected;
  for (const std::string& id : k_nasty_ids) {
    expected += id + "\036";
  }
  CHECK(sh_output(command.at("shell").get<std::string>()) == expected);
  CHECK_FALSE(fs::exists(dir.path() / "pwned"));
}

TEST_CASE("default_framework::build_command quotes the requested result file") {
  FakeHost host;
  auto framework = make(host, config_with({{"run_command", "run {tests} --xml={result_file}"}}));
  const nlohmann::json command = build(*framework, {"a b"}, "/scratch dir/r.xml");
  CHECK(command.at("shell") == "run 'a b' --xml='/scratch dir/r.xml'");
  CHECK(command.at("result_file") == "/scratch dir/r.xml");
}

TEST_CASE("default_framework::build_command moves a fixed result file and keeps the exit status") {
  FakeHost host;
  ScratchDir dir;
  const fs::path work = dir.path() / "work dir";
  fs::create_directories(work);
  const fs::path requested = dir.path() / "result.xml";
  auto framework = make(host, config_with({{"run_command", "printf '<r>%s</r>' {tests} > out.xml; exit 3"},
                                           {"result_file", "out.xml"},
                                           {"working_dir", work.string()}}));
  const nlohmann::json command = build(*framework, {"t1"}, requested.string());
  CHECK(command.at("result_file") == requested.string());
  CHECK(sh_status(command.at("shell").get<std::string>()) == 3);
  CHECK(read_file(requested) == "<r>t1</r>");
  CHECK_FALSE(fs::exists(work / "out.xml"));
}

TEST_CASE("default_framework::build_command never hands on a result file left by an earlier batch") {
  FakeHost host;
  ScratchDir dir;
  write_file(dir.path() / "out.xml", "<stale/>");
  const fs::path requested = dir.path() / "result.xml";
  auto framework = make(host, config_with({{"run_command", "true {tests} # runner crashed"},
                                           {"result_file", "out.xml"},
                                           {"working_dir", dir.path().string()}}));
  const nlohmann::json command = build(*framework, {"t1"}, requested.string());
  CHECK(sh_status(command.at("shell").get<std::string>()) == 0);
  CHECK_FALSE(fs::exists(requested));
}

TEST_CASE("default_framework::build_command fails when cd into working_dir fails") {
  FakeHost host;
  ScratchDir dir;
  auto framework = make(host, config_with({{"run_command", "touch ran {tests}"},
                                           {"working_dir", (dir.path() / "missing").string()}}));
  const nlohmann::json command = build(*framework, {"t1"});
  const std::string script = command.at("shell").get<std::string>();
  CHECK(sh_status("(cd " + dir.path().string() + " && " + script + "\n) 2>/dev/null") != 0);
  CHECK_FALSE(fs::exists(dir.path() / "ran"));
}

TEST_CASE("default_framework::build_command rejects an empty batch") {
  FakeHost host;
  auto framework = make(host, config_with());
  CHECK_THROWS_AS(framework->build_command(R"({"tests": [], "result_file": "r"})"), offload::sdk::Failure);
  CHECK_THROWS_AS(framework->build_command(R"({"tests": "a", "result_file": "r"})"), offload::sdk::Failure);
}

TEST_CASE("default_framework::build_command mentions ignored fail_fast once at debug level") {
  FakeHost host;
  auto framework = make(host, config_with());
  for (int i = 0; i < 3; ++i) {
    framework->build_command(R"({"tests": ["a"], "result_file": "r", "fail_fast": true})");
  }
  REQUIRE(host.logs().size() == 1);
  CHECK(host.logs()[0].level == OFFLOAD_LOG_DEBUG);
}

TEST_CASE("default_framework::map_results maps exact, formatted, plain-name and suffix matches") {
  FakeHost host;
  auto framework = make(host, config_with({{"test_id_format", "{classname}::{name}"}}));
  const std::vector<std::string> batch = {"suite::exact", "lonely", "tests/test_x.py::TestA::test_a",
                                          "TestB::test_b"};
  const nlohmann::json ids = map(*framework, batch,
                                 {{{"name", "exact"}, {"classname", "suite"}},
                                  {{"name", "lonely"}, {"classname", "Elsewhere"}},
                                  {{"name", "test_a"}, {"classname", "TestA"}},
                                  {{"name", "test_b"}, {"classname", "tests.test_y.TestB"}},
                                  {{"name", "unknown"}, {"classname", "Nowhere"}}});
  CHECK(ids == nlohmann::json({"suite::exact", "lonely", "tests/test_x.py::TestA::test_a", "TestB::test_b",
                               nullptr}));
}

TEST_CASE("default_framework::map_results refuses ambiguous and partial-word suffixes") {
  FakeHost host;
  auto framework = make(host, config_with());
  const nlohmann::json ids = map(*framework, {"a/test_x.py::test_a", "b/test_y.py::test_a", "xtest_b"},
                                 {{{"name", "test_a"}}, {{"name", "test_b"}}, {{"name", ""}}});
  CHECK(ids == nlohmann::json({nullptr, nullptr, nullptr}));
  CHECK(map(*framework, {"a"}, nlohmann::json::array()) == nlohmann::json::array());
}

TEST_CASE("default_framework::normalise_test_name unifies path, module and class separators") {
  CHECK(normalise_test_name("tests/test_x.py::TestA::test_a") == "tests.test_x.TestA.test_a");
  CHECK(normalise_test_name("./tests/test_x.py") == "tests.test_x");
  CHECK(normalise_test_name("pkg.pyramid::t") == "pkg.pyramid.t");
  CHECK(normalise_test_name(".a..b.") == "a.b");
}

TEST_CASE("default_framework::discover emits trimmed unique IDs and skips comments") {
  FakeHost host;
  auto framework =
      make(host, config_with({{"discover_command", "printf '%s\\n' '# header' ' a ' '' b a 'c d'"}}));
  CHECK(discovered(*framework) == std::vector<std::string>{"a", "b", "c d"});
  REQUIRE(host.specs().size() == 1);
  CHECK(host.specs()[0].at("argv")[0] == "/bin/sh");
  CHECK_FALSE(host.specs()[0].contains("cwd"));
  REQUIRE(host.logs().size() == 1);
  CHECK(host.logs()[0].level == OFFLOAD_LOG_WARN);
  CHECK(host.logs()[0].message.find("'a'") != std::string::npos);
}

TEST_CASE("default_framework::discover puts filters in verbatim and runs in working_dir") {
  FakeHost host;
  ScratchDir dir;
  auto framework = make(host, config_with({{"discover_command", "printf '%s\\n' {filters}; pwd"},
                                           {"working_dir", dir.path().string()}}));
  const std::vector<std::string> ids = discovered(*framework, "x 'y z'");
  REQUIRE(ids.size() == 3);
  CHECK(ids[0] == "x");
  CHECK(ids[1] == "y z");
  CHECK(fs::equivalent(ids[2], dir.path()));
}

TEST_CASE("default_framework::discover reports filters it cannot place and failing commands") {
  FakeHost host;
  auto without_filters = make(host, config_with());
  const auto misplaced = discover_failure(*without_filters, "-k fast");
  CHECK(misplaced.code() == OFFLOAD_EINVAL);
  CHECK(misplaced.key() == "discover_command");
  CHECK(std::string(misplaced.what()) == "group 'unit' has filters but discover_command has no {filters} placeholder");

  auto failing = make(host, config_with({{"discover_command", "echo first >&2; echo 'no tests here' >&2; exit 3"}}));
  const auto failed = discover_failure(*failing, "");
  CHECK(failed.code() == OFFLOAD_EIO);
  CHECK(std::string(failed.what()) == "discover_command exited with status 3: no tests here");

  auto silent = make(host, config_with({{"discover_command", "exit 4"}}));
  CHECK(std::string(discover_failure(*silent, "").what()) == "discover_command exited with status 4: no output");
}

TEST_CASE("default_framework::config_template runs as written") {
  const offload_factory& factory = offload::plugins::default_factory();
  CHECK(std::string(factory.name) == "default");
  CHECK(factory.kind == OFFLOAD_KIND_FRAMEWORK);
  REQUIRE(factory.config_template != nullptr);

  // Load the template like offload.toml would, filling defaults from the options table.
  std::istringstream text(std::string("[framework]\ntype = \"default\"\n") + factory.config_template);
  const auto section = toml::find(toml::parse(text, "template"), "framework").as_table();
  nlohmann::json config = nlohmann::json::object();
  for (uint32_t i = 0; i < factory.option_count; ++i) {
    const offload_option& option = factory.options[i];
    if (section.count(option.name) != 0) {
      config[option.name] = section.at(option.name).as_string().str;
    } else if (option.default_json != nullptr) {
      config[option.name] = nlohmann::json::parse(option.default_json);
    } else {
      CHECK((option.flags & OFFLOAD_OPTION_REQUIRED) == 0);
    }
  }
  for (const auto& entry : section) {
    const std::string& key = entry.first; // a named variable: CAPTURE cannot take a structured binding (clang 14)
    CAPTURE(key);
    CHECK((key == "type" || config.contains(key)));
  }

  FakeHost host;
  DefaultFramework framework(host.table(), config.dump());
  CHECK(framework.describe() == R"({"results":"junit"})");
  const std::vector<std::string> ids = discovered(framework);
  CHECK(ids == std::vector<std::string>{"test_one", "test_two"});

  ScratchDir dir;
  const fs::path result = dir.path() / "result.xml";
  const nlohmann::json command = build(framework, ids, result.string());
  CHECK(sh_status(command.at("shell").get<std::string>()) == 0);
  const std::string xml = read_file(result);
  CHECK(xml.find("<testcase name=\"test_one\"/>") != std::string::npos);
  CHECK(xml.find("<testcase name=\"test_two\"/>") != std::string::npos);
  CHECK(sh_status("xmllint --noout " + result.string()) == 0);
  CHECK(map(framework, ids, {{{"name", "test_two"}}, {{"name", "test_one"}}}) ==
        nlohmann::json({"test_two", "test_one"}));
}

TEST_SUITE_END();
