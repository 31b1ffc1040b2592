// SPDX-License-Identifier: MIT
#include "pytest_factory.hpp"
#include "pytest_framework.hpp"
#include "pytest_host.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <toml.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

using offload::plugin_support::testing::FakeHost;
using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::write_file;
using offload::plugins::PytestFramework;
using offload::pytest_plugin::testing::creation_failure;
using offload::pytest_plugin::testing::make_framework;
using offload::pytest_plugin::testing::PytestHost;
using Lines = std::vector<std::string>;
namespace fs = std::filesystem;

namespace {

Lines discovered(PytestFramework& framework, const std::string& filters = "") {
  offload::sdk::Collector tests;
  framework.discover(nlohmann::json{{"group", "unit"}, {"filters", filters}}.dump(), tests.sink(), nullptr);
  Lines ids;
  for (const std::string& record : tests.data()) {
    const nlohmann::json test = nlohmann::json::parse(record);
    CHECK(test.at("file") == test.at("id").get<std::string>().substr(0, test.at("id").get<std::string>().find("::")));
    ids.push_back(test.at("id").get<std::string>());
  }
  return ids;
}

offload::sdk::Failure discover_failure(PytestFramework& framework, const std::string& filters = "") {
  return offload::plugin_support::testing::failure_of([&] { discovered(framework, filters); });
}

/// A small pytest project: a parametrized test, a marked one, a class.
void write_project(const fs::path& root) {
  fs::create_directories(root / "tests");
  write_file(root / "pytest.ini", "[pytest]\nmarkers =\n    slow: slow tests\n");
  write_file(root / "tests" / "test_one.py", R"(import pytest

@pytest.mark.parametrize("s", ["a b", "it's"])
def test_p(s):
    pass

@pytest.mark.slow
def test_slow():
    pass

class TestC:
    def test_m(self):
        pass
)");
}

} // namespace

TEST_SUITE_BEGIN("pytest_plugin");

TEST_CASE("pytest create rejects values that cannot work, naming the key") {
  const auto check = [](const nlohmann::json& config, const std::string& key, const std::string& message) {
    const offload::sdk::Failure failure = creation_failure(config);
    CHECK(failure.code() == OFFLOAD_EINVAL);
    CHECK(failure.key() == key);
    CHECK(std::string(failure.what()) == message);
  };
  check({{"python", ""}}, "python", "python is empty; expected an interpreter with pytest, e.g. /usr/bin/python3");
  check({{"python", "uv run python"}}, "python",
        "python 'uv run python' is not one program; put the program in python and the rest of its words in "
        "extra_args, e.g. python = \"uv\", extra_args = [\"run\", \"--with=pytest\", \"python\"]");
  check({{"extra_args", {"-X", "dev", "-m", "pytest"}}}, "extra_args",
        "extra_args ends with \"-m\", \"pytest\", which offload adds itself; remove them");
  check({{"paths", {"tests", ""}}}, "paths", "paths holds an empty string; expected files or directories of tests");
  check({{"paths", {"-k", "x"}}}, "paths",
        "paths holds the option '-k'; paths are files or directories, options go in extra_args or run_args");
  check({{"run_args", {"--junitxml=x.xml"}}}, "run_args",
        "run_args holds '--junitxml=x.xml', which offload sets itself for every batch; remove it");
  check({{"working_dir", ""}}, "working_dir", "working_dir is empty; expected a directory or no working_dir at all");
  check({{"paths", "tests"}}, "paths", "'paths' must be an array of strings, not string");
}

TEST_CASE("pytest create accepts the defaults and a wrapper such as uv") {
  CHECK(creation_failure(nlohmann::json::object()).code() == 0);
  CHECK(creation_failure({{"python", "uv"}, {"extra_args", {"run", "--with=pytest", "python"}}}).code() == 0);
}

TEST_CASE("pytest create fails through the C table when offload_pytest.py is not bundled") {
  FakeHost host;
  const std::string config = R"({"python": "/usr/bin/python3"})";
  void* instance = nullptr;
  const offload_factory& factory = offload::plugins::pytest_factory();
  CHECK(factory.create(host.table(), config.data(), config.size(), &instance, host.error_slot()) == OFFLOAD_ENOENT);
  CHECK(instance == nullptr);
  REQUIRE(host.errors().size() == 1);
  CHECK(host.errors()[0].message == "no bundled scripts");
}

TEST_CASE("pytest factory declares its options and a template that parses") {
  const offload_factory& factory = offload::plugins::pytest_factory();
  CHECK(std::string(factory.name) == "pytest");
  CHECK(factory.kind == OFFLOAD_KIND_FRAMEWORK);
  Lines names;
  for (uint32_t i = 0; i < factory.option_count; ++i) {
    names.emplace_back(factory.options[i].name);
    CHECK(factory.options[i].flags == 0);
  }
  CHECK(names == Lines{"python", "extra_args", "pytest_args", "paths", "run_args", "working_dir", "fork_workers"});
  std::istringstream text(factory.config_template);
  const toml::value parsed = toml::parse(text, "template");
  CHECK(toml::find<std::string>(parsed, "python") == "python3");
}

TEST_CASE("pytest describe says results come as JUnit and its worker reports what it collects") {
  PytestHost host;
  CHECK(make_framework(host)->describe() == R"({"results":"junit","worker_discovery":true})");
}

TEST_CASE("pytest discovery runs python, extra_args, -m pytest, the group's filters, then paths") {
  PytestHost host;
  auto framework = make_framework(
      host, {{"python", "uv"}, {"extra_args", {"run", "python"}}, {"paths", {"tests", "more tests"}}});
  CHECK(framework->discover_argv("-m 'not slow' -k \"a or b\"") ==
        Lines{"uv", "run", "python", "-m", "pytest", "--collect-only", "--verbosity=-1", "-m", "not slow", "-k",
              "a or b", "tests", "more tests"});
  CHECK_THROWS_WITH(framework->discover_argv("-m 'not slow"),
                    "filters: unterminated single quote in '-m 'not slow'; expected shell words such as -m 'not slow'");
}

TEST_CASE("pytest discovery lists a real project's node IDs") {
  PytestHost host;
  ScratchDir dir;
  write_project(dir.path());
  auto framework = make_framework(host, {{"working_dir", dir.path().string()}});
  CHECK(discovered(*framework) == Lines{"tests/test_one.py::test_p[a b]", "tests/test_one.py::test_p[it's]",
                                        "tests/test_one.py::test_slow", "tests/test_one.py::TestC::test_m"});
  CHECK(discovered(*framework, "-m 'not slow' -k 'test_p or test_m'") ==
        Lines{"tests/test_one.py::test_p[a b]", "tests/test_one.py::test_p[it's]", "tests/test_one.py::TestC::test_m"});
  // Forked from the run's fork server (fork_workers is on by default) and
  // asking it to wait for the workers; the worker module runs pytest.
  const nlohmann::json& spec = host.fake().specs().back();
  CHECK(spec.at("cwd") == dir.path().string());
  const auto argv = spec.at("argv").get<Lines>();
  REQUIRE(argv.size() > 5);
  CHECK(argv[1].ends_with("/offload_pytest_forkserver.py"));
  CHECK(argv[2] == "--linger=3");
  CHECK(argv[4].ends_with("/offload_pytest_worker.py"));
  CHECK(argv[5].starts_with("--plugin=/"));
  CHECK(argv[5].ends_with("/offload_pytest.py"));
  CHECK_FALSE(spec.contains("env"));
}

TEST_CASE("pytest discovery without fork_workers runs python -m pytest with the plugin on PYTHONPATH") {
  PytestHost host;
  ScratchDir dir;
  write_project(dir.path());
  auto framework = make_framework(host, {{"working_dir", dir.path().string()}, {"fork_workers", false}});
  CHECK(discovered(*framework).size() == 4);
  const nlohmann::json& spec = host.fake().specs().back();
  const auto argv = spec.at("argv").get<Lines>();
  CHECK(Lines(argv.begin(), argv.begin() + 5) == Lines{"/usr/bin/python3", "-m", "pytest", "-p", "offload_pytest"});
  CHECK(spec.at("env").at("PYTHONIOENCODING") == "utf-8");
  CHECK(spec.at("env").at("PYTHONPATH").get<std::string>().find("bundled") != std::string::npos);
}

TEST_CASE("pytest discovery takes an empty selection as zero tests") {
  PytestHost host;
  ScratchDir dir;
  write_project(dir.path());
  auto framework = make_framework(host, {{"working_dir", dir.path().string()}});
  CHECK(discovered(*framework, "-k nothing_matches").empty());
}

TEST_CASE("pytest discovery explains a collection error and a missing working_dir") {
  PytestHost host;
  ScratchDir dir;
  write_project(dir.path());
  write_file(dir.path() / "tests" / "test_bad.py", "import no_such_module_here\n");
  auto framework = make_framework(host, {{"working_dir", dir.path().string()}});
  const offload::sdk::Failure failure = discover_failure(*framework);
  CHECK(failure.code() == OFFLOAD_EIO);
  CHECK(std::string(failure.what()) ==
        "pytest collection failed in tests/test_bad.py: ModuleNotFoundError: No module named 'no_such_module_here'");

  auto lost = make_framework(host, {{"working_dir", (dir.path() / "missing").string()}});
  const offload::sdk::Failure missing = discover_failure(*lost);
  CHECK(missing.key() == "working_dir");
  CHECK(std::string(missing.what()) == "working_dir '" + (dir.path() / "missing").string() + "' is not a directory");
}

TEST_SUITE_END();
