// SPDX-License-Identifier: MIT
#include "pytest_framework.hpp"
#include "worker_script.hpp"
#include "pytest_host.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

using offload::plugin_support::testing::read_file;
using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::sh_output;
using offload::plugin_support::testing::sh_status;
using offload::plugin_support::testing::write_file;
using offload::plugins::PytestFramework;
using offload::pytest_plugin::testing::bundled_dir;
using offload::plugin_support::testing::lines_of;
using offload::pytest_plugin::testing::make_framework;
using offload::pytest_plugin::testing::PytestHost;
using Lines = std::vector<std::string>;
namespace fs = std::filesystem;

namespace {

// Stands in for python: copies its stdin to stdout, then prints each argument on a line.
const nlohmann::json k_echo = {{"python", "/bin/sh"},
                               {"extra_args", {"-c", R"(cat; printf '%s\n' "$@")", "sh"}},
                               {"fork_workers", false}};

nlohmann::json build(PytestFramework& framework, const fs::path& scratch, const Lines& tests) {
  const nlohmann::json request = {{"scratch_dir", scratch.string()}, {"fail_fast", false}, {"tests", tests}};
  return nlohmann::json::parse(framework.build_worker_command(request.dump()));
}

/// Runs the worker command's script from `dir` with `input` on its stdin; its stdout.
std::string run_worker(const nlohmann::json& command, const fs::path& dir, const std::string& input) {
  write_file(dir / "input", input);
  write_file(dir / "worker.sh", command.at("shell").get<std::string>());
  return sh_output("cd '" + dir.string() + "' && sh ./worker.sh < ./input 2>/dev/null");
}

} // namespace

TEST_SUITE_BEGIN("pytest_plugin");

TEST_CASE("pytest build_worker_command runs the shipped worker with a batch's words and keeps stdin for it") {
  PytestHost host;
  ScratchDir dir;
  const fs::path scratch = dir.path() / "scratch dir";
  nlohmann::json config = k_echo;
  config["run_args"] = {"-p", "no:cacheprovider"};
  config["paths"] = {"tests", "more tests"};
  auto framework = make_framework(host, config);
  const nlohmann::json command = build(*framework, scratch, {});
  CHECK(command.size() == 1); // a shell script and nothing else: no result_file
  const std::string worker = offload::plugins::worker_dir(scratch.string()) + "/offload_pytest_worker.py";
  CHECK(lines_of(run_worker(command, dir.path(), "{\"op\": \"stop\"}\n")) ==
        Lines{"{\"op\": \"stop\"}", worker, "--", "-q", "-p", "no:cacheprovider", "tests", "more tests"});
  // The sandbox may be another machine: the worker travels inside the command.
  const std::string bundled = read_file(bundled_dir() + "/offload_pytest_worker.py");
  REQUIRE_FALSE(bundled.empty());
  CHECK(read_file(worker) == bundled);
  CHECK_FALSE(fs::exists(offload::plugins::worker_hint_file(scratch.string())));
}

TEST_CASE("pytest build_worker_command starts workers through the fork server of the run's private directory") {
  PytestHost host;
  ScratchDir dir;
  const fs::path scratch = dir.path() / "s";
  nlohmann::json config = k_echo;
  config.erase("fork_workers");
  auto framework = make_framework(host, config);
  const Lines args = lines_of(run_worker(build(*framework, scratch, {}), dir.path(), ""));
  const std::string worker_dir = offload::plugins::worker_dir(scratch.string());
  REQUIRE(args.size() == 5);
  CHECK(args[0] == worker_dir + "/offload_pytest_forkserver.py");
  CHECK(read_file(args[0]) == read_file(bundled_dir() + "/offload_pytest_forkserver.py"));
  CHECK(args[2] == worker_dir + "/offload_pytest_worker.py");
  const fs::path forks = args[1];
  // Private, since whoever can create a socket there is handed the workers' stdio.
  CHECK(fs::is_directory(fs::symlink_status(forks)));
  CHECK(fs::status(forks).permissions() == fs::perms::owner_all);
  // One directory for the whole run, so every worker finds the same servers.
  CHECK(lines_of(run_worker(build(*framework, dir.path() / "t", {}), dir.path(), ""))[1] == forks.string());
  framework.reset();
  CHECK_FALSE(fs::exists(forks));
}

TEST_CASE("pytest build_worker_command hands the hinted IDs to the worker in a file") {
  PytestHost host;
  ScratchDir dir;
  const fs::path scratch = dir.path() / "s";
  auto framework = make_framework(host, k_echo);
  const Lines ids = {"tests/test_a.py::test_p[it's $(touch pwned)]", "tests/test_a.py::test_p[\"q\" `x`]",
                     "OFFLOAD_TEST_IDS", "OFFLOAD_PYTEST_WORKER"};
  const std::string hint = offload::plugins::worker_hint_file(scratch.string());
  const Lines args = lines_of(run_worker(build(*framework, scratch, ids), dir.path(), ""));
  REQUIRE(args.size() == 4);
  CHECK(args[1] == "--hint=" + hint);
  CHECK(read_file(hint) == "tests/test_a.py::test_p[it's $(touch pwned)]\ntests/test_a.py::test_p[\"q\" `x`]\n"
                           "OFFLOAD_TEST_IDS\nOFFLOAD_PYTEST_WORKER\n");
  CHECK_FALSE(fs::exists(dir.path() / "pwned"));
}

TEST_CASE("pytest build_worker_command runs in working_dir and stops when it cannot get there") {
  PytestHost host;
  ScratchDir dir;
  const fs::path work = dir.path() / "work dir";
  fs::create_directories(work);
  nlohmann::json config = {{"python", "/bin/sh"}, {"extra_args", {"-c", "pwd", "sh"}}, {"working_dir", work.string()}};
  auto framework = make_framework(host, config);
  CHECK(run_worker(build(*framework, dir.path() / "s", {}), dir.path(), "") == work.string() + "\n");

  config["working_dir"] = (dir.path() / "missing").string();
  auto lost = make_framework(host, config);
  write_file(dir.path() / "lost.sh", build(*lost, dir.path() / "s", {}).at("shell").get<std::string>());
  CHECK(sh_status("sh '" + (dir.path() / "lost.sh").string() + "' </dev/null >/dev/null 2>&1") != 0);
}

TEST_CASE("pytest build_worker_command starts a real worker that answers the protocol") {
  PytestHost host;
  ScratchDir dir;
  const fs::path project = dir.path() / "project";
  fs::create_directories(project);
  write_file(project / "pytest.ini", "[pytest]\n");
  write_file(project / "test_it.py", "def test_one():\n    print('said by test_one')\n\ndef test_two():\n    pass\n");
  auto framework = make_framework(host, {{"working_dir", project.string()}, {"run_args", {"-p", "no:cacheprovider"}}});
  const std::string out =
      run_worker(build(*framework, dir.path() / "s", {"test_it.py::test_one"}), dir.path(),
                 R"({"op": "run", "tests": ["test_it.py::test_one", "test_it.py::test_two"]})"
                 "\n");
  const Lines lines = lines_of(out);
  REQUIRE(lines.size() == 6);
  for (const std::string& line : lines) {
    REQUIRE(line.starts_with("@offload {"));
  }
  const auto event = [&](std::size_t i) { return nlohmann::json::parse(lines[i].substr(9)); };
  // The hint: only test_one's file is collected at first, and that holds both.
  CHECK(event(0) == nlohmann::json{{"event", "collected"},
                                   {"file", "test_it.py"},
                                   {"tests",
                                    {{{"id", "test_it.py::test_one"}, {"classname", "test_it"}, {"name", "test_one"}},
                                     {{"id", "test_it.py::test_two"}, {"classname", "test_it"}, {"name", "test_two"}}}}});
  CHECK(event(1).at("event") == "ready");
  CHECK(event(1).at("collected") == Lines{"test_it.py::test_one", "test_it.py::test_two"});
  CHECK(event(2) == nlohmann::json{{"event", "start"}, {"id", "test_it.py::test_one"}});
  CHECK(event(3).at("outcome") == "passed");
  CHECK(event(3).at("stdout") == "said by test_one\n");
  CHECK(event(5).at("id") == "test_it.py::test_two");
  CHECK(event(5).at("outcome") == "passed");
}

TEST_CASE("pytest build_worker_command rejects malformed requests and IDs that are not one line") {
  PytestHost host;
  auto framework = make_framework(host);
  CHECK_THROWS_WITH(framework->build_worker_command(R"({"tests": []})"),
                    "malformed build_worker_command request: \"scratch_dir\" is missing");
  CHECK_THROWS_WITH(framework->build_worker_command(R"({"scratch_dir": "/s", "tests": ["a::b\nc"]})"),
                    "test ID 'a::b...' holds a line break or NUL; pytest node IDs are one line");
}

TEST_SUITE_END();
