// SPDX-License-Identifier: MIT
// The gtest framework driven with stand-in binaries: shell scripts that
// answer --gtest_list_tests and --gtest_filter/--gtest_output=json like a
// GoogleTest program and record how they were called. The integration tests
// run real GoogleTest programs; these pin down commands, quoting and IDs.
#include "gtest_factory.hpp"
#include "gtest_framework.hpp"
#include "../plugin_support/fake_host.hpp"
#include "report/junit.hpp"
#include "shell.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <toml.hpp>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using offload::plugin_support::shell_quote;
using offload::plugin_support::testing::FakeHost;
using offload::plugin_support::testing::read_file;
using offload::plugin_support::testing::ScratchDir;
using offload::plugin_support::testing::sh_status;
using offload::plugin_support::testing::write_file;
using offload::plugin_support::testing::creation_failure;
using offload::plugins::GTestFramework;
using Kind = offload::report::JUnitCase::Kind;
namespace fs = std::filesystem;

namespace {

/// A directory with stand-in GoogleTest binaries under "bin dir/".
class FakeBinaries {
public:
  FakeBinaries() {
    fs::create_directories(m_dir.path() / "bin dir");
    add("math_test", "Running main() from gtest_main.cc\\nMath.\\n  Adds\\n  Fails\\n"
                     "Typed/0.  # TypeParam = int\\n  Works\\nMath.\\n  DISABLED_Later\\n");
    add("other_test", "Other.\\n  Works\\nMath.\\n  Adds\\n");
  }

  /// A binary that lists `listing` (printf escapes) and, when run, reports
  /// the tests of its filter as passed, or failed when the name has "Fail".
  void add(const std::string& name, const std::string& listing) {
    const fs::path path = m_dir.path() / "bin dir" / name;
    write_file(path, "#!/bin/sh\nset -f\n"
                     "printf '%s\\n' \"" + name + " cwd=$PWD args=$*\" >> " + shell_quote(calls_path().string()) + "\n"
                     "list=; filter=; out=\n"
                     "for a in \"$@\"; do case \"$a\" in\n"
                     "  --gtest_list_tests) list=1 ;;\n"
                     "  --gtest_filter=*) filter=${a#--gtest_filter=} ;;\n"
                     "  --gtest_output=json:*) out=${a#--gtest_output=json:} ;;\n"
                     "esac; done\n"
                     "if [ -n \"$list\" ]; then printf '" + listing + "'; exit 0; fi\n"
                     "cases=; status=0; IFS=:\n"
                     "for t in $filter; do\n"
                     "  suite=${t%%.*}; test=${t#*.}; f=\n"
                     "  case \"$test\" in *Fail*) f=',\"failures\":[{\"failure\":\"x.cpp:1\\nboom\"}]'; status=1 ;; esac\n"
                     "  [ -n \"$cases\" ] && cases=\"$cases,\"\n"
                     "  cases=\"$cases{\\\"name\\\":\\\"$suite\\\",\\\"testsuite\\\":[{\\\"name\\\":\\\"$test\\\","
                     "\\\"classname\\\":\\\"$suite\\\",\\\"result\\\":\\\"COMPLETED\\\",\\\"time\\\":\\\"0.5s\\\"$f}]}\"\n"
                     "done\n"
                     "printf '{\"testsuites\":[%s]}\\n' \"$cases\" > \"$out\"\n"
                     "exit $status\n");
    fs::permissions(path, fs::perms::owner_all);
  }

  nlohmann::json config(const nlohmann::json& binaries, const nlohmann::json& extra = nlohmann::json::object()) const {
    nlohmann::json c = {{"binaries", binaries}, {"working_dir", m_dir.path().string()}, {"extra_args", {"--seed", "a b"}}};
    c.update(extra);
    return c;
  }

  std::vector<std::string> calls() const {
    std::vector<std::string> lines;
    std::istringstream in(read_file(calls_path()));
    for (std::string line; std::getline(in, line);) {
      lines.push_back(line);
    }
    return lines;
  }

  const fs::path& dir() const { return m_dir.path(); }

private:
  fs::path calls_path() const { return m_dir.path() / "calls.log"; }
  ScratchDir m_dir;
};

std::vector<std::string> discovered(GTestFramework& framework, const std::string& filters = "") {
  offload::sdk::Collector tests;
  framework.discover(nlohmann::json{{"group", "g"}, {"filters", filters}}.dump(), tests.sink(), nullptr);
  std::vector<std::string> ids;
  for (const std::string& record : tests.data()) {
    ids.push_back(nlohmann::json::parse(record).at("id").get<std::string>());
  }
  return ids;
}

std::string discover_error(GTestFramework& framework) {
  return offload::plugin_support::testing::failure_of([&] { discovered(framework); }).what();
}

nlohmann::json build(GTestFramework& framework, const std::vector<std::string>& tests, const fs::path& result,
                     bool fail_fast = false) {
  return nlohmann::json::parse(framework.build_command(
      nlohmann::json{{"tests", tests}, {"result_file", result.string()}, {"fail_fast", fail_fast}}.dump()));
}

std::map<std::string, Kind> run_batch(GTestFramework& framework, const std::vector<std::string>& tests,
                                      const fs::path& result, int expected_status) {
  const nlohmann::json command = build(framework, tests, result);
  CHECK(command.at("result_file") == result.string());
  CHECK(sh_status("cd / && " + command.at("shell").get<std::string>()) == expected_status);
  const auto cases = offload::report::parse_junit(framework.convert_report(read_file(result)));
  REQUIRE(cases);
  nlohmann::json request = {{"tests", tests}, {"cases", nlohmann::json::array()}};
  for (const auto& c : *cases) {
    request["cases"].push_back({{"name", c.name}, {"classname", c.classname}});
  }
  const nlohmann::json ids = nlohmann::json::parse(framework.map_results(request.dump()));
  std::map<std::string, Kind> kinds;
  for (std::size_t i = 0; i < cases->size(); ++i) {
    REQUIRE(ids[i].is_string());
    kinds[ids[i].get<std::string>()] = (*cases)[i].kind;
  }
  return kinds;
}

} // namespace

TEST_SUITE_BEGIN("gtest_plugin");

TEST_CASE("gtest_plugin::create checks values, not files") {
  FakeBinaries bins;
  CHECK(creation_failure<GTestFramework>(bins.config(nlohmann::json::array())).key() == "binaries");
  CHECK(creation_failure<GTestFramework>(bins.config({""})).key() == "binaries");
  CHECK(creation_failure<GTestFramework>(bins.config({"x"}, {{"working_dir", ""}})).key() == "working_dir");
  CHECK(creation_failure<GTestFramework>(bins.config({"build/*_test"})).code() == 0); // matched only at discovery
}

TEST_CASE("gtest_plugin::one binary: IDs are gtest's names and a batch runs it once") {
  FakeBinaries bins;
  FakeHost host;
  GTestFramework framework(host.table(), bins.config({"bin dir/math_test"}).dump());
  CHECK(framework.describe() == R"({"results":"junit"})");
  CHECK(discovered(framework) ==
        std::vector<std::string>{"Math.Adds", "Math.Fails", "Typed/0.Works", "Math.DISABLED_Later"});
  const std::vector<std::string> ids = {"Math.Adds", "Math.Fails", "Typed/0.Works"};
  CHECK(bins.calls().back() == "math_test cwd=" + bins.dir().string() + " args=--seed a b --gtest_list_tests");
  discovered(framework, " Math.*  -Math.Fails ");
  CHECK(bins.calls().back().ends_with("--gtest_list_tests --gtest_filter=Math.*:-Math.Fails"));

  const fs::path result = bins.dir() / "result dir" / "it's.xml";
  fs::create_directories(result.parent_path());
  const auto kinds = run_batch(framework, ids, result, 1);
  CHECK(kinds == std::map<std::string, Kind>{
                     {"Math.Adds", Kind::Passed}, {"Math.Fails", Kind::Failed}, {"Typed/0.Works", Kind::Passed}});
  CHECK(bins.calls().back() == "math_test cwd=" + bins.dir().string() +
                                   " args=--seed a b --gtest_filter=Math.Adds:Math.Fails:Typed/0.Works "
                                   "--gtest_output=json:" + result.string() + ".part");
  CHECK_FALSE(fs::exists(result.string() + ".part"));
}

TEST_CASE("gtest_plugin::several binaries: IDs carry the binary's name and stay apart") {
  FakeBinaries bins;
  FakeHost host;
  GTestFramework framework(host.table(), bins.config({"bin dir/*_test"}).dump());
  const auto ids = discovered(framework);
  CHECK(ids == std::vector<std::string>{"math_test Math.Adds", "math_test Math.Fails", "math_test Typed/0.Works",
                                        "math_test Math.DISABLED_Later", "other_test Other.Works",
                                        "other_test Math.Adds"});
  const fs::path result = bins.dir() / "r.xml";
  const auto kinds = run_batch(framework, {"other_test Math.Adds", "math_test Math.Adds", "math_test Math.Fails"},
                               result, 1);
  CHECK(kinds == std::map<std::string, Kind>{{"other_test Math.Adds", Kind::Passed},
                                             {"math_test Math.Adds", Kind::Passed},
                                             {"math_test Math.Fails", Kind::Failed}});
  const nlohmann::json unknown = nlohmann::json::parse(framework.map_results(
      nlohmann::json{{"tests", {"math_test Math.Adds"}},
                     {"cases", {{{"classname", "Math"}, {"name", "Adds"}},
                                {{"classname", "math_test Math"}, {"name", "Adds"}}}}}
          .dump()));
  CHECK(unknown == nlohmann::json({nullptr, "math_test Math.Adds"}));
  CHECK_THROWS_WITH_AS(build(framework, {"nope_test Math.Adds"}, result),
                       "test ID 'nope_test Math.Adds' does not start with one of the binaries' names and a space",
                       offload::sdk::Failure);
}

TEST_CASE("gtest_plugin::fail_fast reaches gtest and stops before the next binary") {
  FakeBinaries bins;
  FakeHost host;
  GTestFramework framework(host.table(), bins.config({"bin dir/*_test"}, {{"extra_args", nlohmann::json::array()}}).dump());
  discovered(framework);
  const nlohmann::json command = build(framework, {"math_test Math.Fails", "other_test Other.Works"}, bins.dir() / "r.xml", true);
  CHECK(sh_status(command.at("shell").get<std::string>()) == 1);
  const auto calls = bins.calls();
  CHECK(calls.back().find("math_test cwd=") == 0);
  CHECK(calls.back().find("--gtest_filter=Math.Fails --gtest_fail_fast --gtest_output=json:") != std::string::npos);
  for (const std::string& call : calls) {
    CHECK_FALSE((call.starts_with("other_test") && call.find("--gtest_filter") != std::string::npos));
  }
}

TEST_CASE("gtest_plugin::discovery errors name the pattern or the test") {
  FakeBinaries bins;
  FakeHost host;
  GTestFramework nothing(host.table(), bins.config({"build/*_test"}).dump());
  CHECK(discover_error(nothing) ==
        "binaries: 'build/*_test' matches no executable file (looked in " + bins.dir().string() + ")");
  bins.add("bad_test", "Bad.\\n  Case/a-b\\n");
  GTestFramework bad(host.table(), bins.config({"bin dir/bad_test"}).dump());
  CHECK(discover_error(bad).find("test 'Bad.Case/a-b' of bin dir/bad_test has ':', '-' or a blank") == 0);
}

TEST_CASE("gtest_plugin::disabled tests are discovered with or without also_run_disabled_tests") {
  FakeBinaries bins;
  FakeHost host;
  GTestFramework framework(
      host.table(), bins.config({"bin dir/math_test"}, {{"extra_args", {"--gtest_also_run_disabled_tests"}}}).dump());
  CHECK(discovered(framework).back() == "Math.DISABLED_Later");
}

TEST_CASE("gtest_plugin::config_template loads and validates") {
  const offload_factory& factory = offload::plugins::gtest_factory();
  CHECK(std::string(factory.name) == "gtest");
  REQUIRE(factory.config_template != nullptr);
  std::istringstream text(std::string("[framework]\ntype = \"gtest\"\n") + factory.config_template);
  const auto section = toml::find(toml::parse(text, "template"), "framework").as_table();
  nlohmann::json config = nlohmann::json::object();
  for (uint32_t i = 0; i < factory.option_count; ++i) {
    const offload_option& option = factory.options[i];
    if (section.count(option.name) != 0) {
      config[option.name] = nlohmann::json::array();
      for (const auto& value : section.at(option.name).as_array()) {
        config[option.name].push_back(value.as_string().str);
      }
    } else {
      CHECK((option.flags & OFFLOAD_OPTION_REQUIRED) == 0);
    }
  }
  CHECK(config["binaries"] == nlohmann::json({"build/*_test"}));
  ScratchDir empty;
  config["working_dir"] = empty.path().string();
  FakeHost host;
  GTestFramework framework(host.table(), config.dump());
  const std::string error = discover_error(framework);
  CHECK(error.find("binaries: 'build/*_test' matches no executable file") == 0);
}

TEST_SUITE_END();
