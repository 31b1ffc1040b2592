// SPDX-License-Identifier: MIT
#include "batch_script.hpp"
#include "pytest_framework.hpp"
#include "pytest_host.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using offload::plugin_support::testing::lines_of;
using offload::plugin_support::testing::read_file;
using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::sh_output;
using offload::plugin_support::testing::sh_status;
using offload::plugin_support::testing::write_file;
using offload::plugins::PytestFramework;
using offload::pytest_plugin::testing::bundled_dir;
using offload::pytest_plugin::testing::make_framework;
using offload::pytest_plugin::testing::PytestHost;
using Lines = std::vector<std::string>;
namespace fs = std::filesystem;

namespace {

// Stands in for python: prints each argument it gets on a line of its own.
const nlohmann::json k_print_args = {{"python", "/usr/bin/printf"}, {"extra_args", {"%s\\n"}}};

const Lines k_nasty_ids = {
    "tests/test_a.py::test_p[a b]",
    "tests/test_a.py::test_p[it's]",
    R"(tests/test_a.py::test_p[say "hi"])",
    "tests/test_a.py::test_p[$(touch pwned)]",
    "tests/test_a.py::test_p[`touch pwned`]",
    "tests/test_a.py::test_p[${HOME}]",
    R"(tests/test_a.py::test_p[back\slash])",
    R"(tests/test_a.py::test_p[\xfcn\xef])",
    "tests/test_a.py::test_\xc3\xbcn\xc3\xaf",
    "tests/test_a.py::test_p[trailing ]",
    "tests/test_a.py::test_p[::x]",
    "OFFLOAD_TEST_IDS",
    "EOF",
    "'",
};

nlohmann::json build(PytestFramework& framework, const Lines& tests, const std::string& result_file,
                     bool fail_fast = false) {
  const nlohmann::json request = {{"tests", tests}, {"result_file", result_file}, {"fail_fast", fail_fast}};
  return nlohmann::json::parse(framework.build_command(request.dump()));
}

/// Runs the batch script from `dir` and returns what the stand-in python printed.
Lines run_batch(const nlohmann::json& command, const fs::path& dir, const std::string& prelude = "") {
  return lines_of(sh_output("cd '" + dir.string() + "' && " + prelude + command.at("shell").get<std::string>()));
}

/// The arguments up to the test files: everything offload always passes.
Lines fixed_args(const std::string& result_file, const Lines& tail) {
  Lines args = {"-m", "pytest", "-p", "offload_pytest", "--offload-ids=" + result_file + ".ids",
                "--junitxml=" + result_file, "-o", "junit_family=xunit1", "-q"};
  args.insert(args.end(), tail.begin(), tail.end());
  return args;
}

} // namespace

TEST_SUITE_BEGIN("pytest_plugin");

TEST_CASE("pytest build_command writes the batch's IDs to a file that reads back byte for byte") {
  PytestHost host;
  ScratchDir dir;
  fs::create_directories(dir.path() / "scratch dir");
  const std::string result = (dir.path() / "scratch dir" / "result.xml").string();
  auto framework = make_framework(host, k_print_args);
  const nlohmann::json command = build(*framework, k_nasty_ids, result);
  CHECK(command.at("result_file") == result);
  CHECK_FALSE(command.contains("argv"));

  run_batch(command, dir.path());
  std::string expected;
  for (const std::string& id : k_nasty_ids) {
    expected += id + "\n";
  }
  CHECK(read_file(result + ".ids") == expected);
  CHECK_FALSE(fs::exists(dir.path() / "pwned"));
}

TEST_CASE("pytest build_command passes each existing test file once, after the fixed options and run_args") {
  PytestHost host;
  ScratchDir dir;
  fs::create_directories(dir.path() / "tests" / "sub dir");
  write_file(dir.path() / "tests" / "test_a.py", "");
  write_file(dir.path() / "tests" / "sub dir" / "test_it's.py", "");
  const std::string result = (dir.path() / "r.xml").string();
  nlohmann::json config = k_print_args;
  config["run_args"] = {"-p", "no:cacheprovider", "--tb=short"};
  auto framework = make_framework(host, config);

  const Lines ids = {"tests/test_a.py::test_1", "tests/sub dir/test_it's.py::TestC::test_2[a::b]",
                     "tests/test_a.py::test_3", "tests/gone.py::test_4"};
  CHECK(run_batch(build(*framework, ids, result), dir.path()) ==
        fixed_args(result, {"-p", "no:cacheprovider", "--tb=short", "tests/test_a.py", "tests/sub dir/test_it's.py"}));
  CHECK(run_batch(build(*framework, ids, result, true), dir.path()) ==
        fixed_args(result, {"-x", "-p", "no:cacheprovider", "--tb=short", "tests/test_a.py",
                            "tests/sub dir/test_it's.py"}));
}

TEST_CASE("pytest build_command lets pytest collect paths when none of the IDs' files is there") {
  PytestHost host;
  ScratchDir dir;
  const std::string result = (dir.path() / "r.xml").string();
  const Lines ids = {"pkg/tests/test_a.py::test_1"};
  nlohmann::json config = k_print_args;
  auto without_paths = make_framework(host, config);
  CHECK(run_batch(build(*without_paths, ids, result), dir.path()) == fixed_args(result, {}));
  config["paths"] = {"tests", "more tests"};
  auto with_paths = make_framework(host, config);
  CHECK(run_batch(build(*with_paths, ids, result), dir.path()) == fixed_args(result, {"tests", "more tests"}));
}

TEST_CASE("pytest build_command ships the bundled plugin and puts it first on PYTHONPATH") {
  PytestHost host;
  ScratchDir dir;
  const std::string result = (dir.path() / "r.xml").string();
  const std::string shipped = offload::plugins::plugin_dir_for(result);
  auto framework = make_framework(
      host, {{"python", "/bin/sh"}, {"extra_args", {"-c", R"(printf '%s\n' "$PYTHONPATH")"}}});
  const nlohmann::json command = build(*framework, {"t.py::a"}, result);
  CHECK(run_batch(command, dir.path(), "unset PYTHONPATH; ") == Lines{shipped});
  CHECK(run_batch(command, dir.path(), "PYTHONPATH='/mine:/also mine'; export PYTHONPATH; ") ==
        Lines{shipped + ":/mine:/also mine"});
  // The sandbox may be another machine: the plugin travels inside the command.
  std::ifstream bundled(bundled_dir() + "/offload_pytest.py");
  std::ifstream written(shipped + "/offload_pytest.py");
  const std::string expected((std::istreambuf_iterator<char>(bundled)), std::istreambuf_iterator<char>());
  const std::string actual((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
  REQUIRE_FALSE(expected.empty());
  CHECK(actual == expected);
}

TEST_CASE("pytest build_command runs in working_dir and stops when it cannot get there") {
  PytestHost host;
  ScratchDir dir;
  const fs::path work = dir.path() / "work dir";
  fs::create_directories(work / "tests");
  write_file(work / "tests" / "test_a.py", "");
  const std::string result = (dir.path() / "r.xml").string();
  nlohmann::json config = k_print_args;
  config["working_dir"] = work.string();
  auto framework = make_framework(host, config);
  const nlohmann::json command = build(*framework, {"tests/test_a.py::test_1"}, result);
  CHECK(run_batch(command, dir.path()) == fixed_args(result, {"tests/test_a.py"}));

  config["working_dir"] = (dir.path() / "missing").string();
  auto lost = make_framework(host, config);
  const std::string script = build(*lost, {"tests/test_a.py::test_1"}, result).at("shell").get<std::string>();
  CHECK(sh_status("(cd '" + dir.path().string() + "' && " + script + ") >/dev/null 2>&1") != 0);
}

TEST_CASE("pytest build_command rejects malformed requests and IDs that are not one line") {
  PytestHost host;
  auto framework = make_framework(host);
  CHECK_THROWS_WITH(framework->build_command(R"({"tests": [], "result_file": "/r.xml"})"),
                    "malformed build_command request: \"tests\" is empty");
  CHECK_THROWS_WITH(framework->build_command(R"({"tests": ["a::b"]})"),
                    "malformed build_command request: \"result_file\" is missing");
  CHECK_THROWS_WITH(framework->build_command(R"({"tests": ["a::b\nc"], "result_file": "/r.xml"})"),
                    "test ID 'a::b...' holds a line break or NUL; pytest node IDs are one line");
}

TEST_CASE("test_files keeps the part before the first :: once, in order") {
  CHECK(offload::plugins::test_files({"b.py::x", "a.py::C::y[p::q]", "b.py::z", "doc.txt", "::odd"}) ==
        Lines{"b.py", "a.py", "doc.txt"});
}

TEST_SUITE_END();
