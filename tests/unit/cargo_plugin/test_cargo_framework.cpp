// SPDX-License-Identifier: MIT
// The cargo framework driven through a stand-in `cargo` (the `cargo` option
// names any command) and stand-in test binaries: shell scripts that answer
// like cargo and libtest and record how they were called. The integration
// tests run the real cargo; these pin down the commands, the quoting and
// the single build, and reach the nextest mode this machine cannot run.
#include "cargo_factory.hpp"
#include "cargo_framework.hpp"
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
using offload::plugins::CargoFramework;
namespace fs = std::filesystem;

namespace {

void write_script(const fs::path& path, const std::string& body) {
  write_file(path, "#!/bin/sh\n" + body);
  fs::permissions(path, fs::perms::owner_all);
}

std::string joined_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) {
    text += line + "\n";
  }
  return text;
}

/// A project whose `cargo` is a script: `cargo test --no-run` reports a
/// library and a binary target, each a script that lists two tests and, when
/// run, reports every test whose name has "fail" in it as failed.
class FakeProject {
public:
  explicit FakeProject(bool nextest = false) {
    const fs::path root = m_dir.path();
    m_package = root / "pkg dir's";
    fs::create_directories(m_package / "target" / "deps");
    m_calls = root / "calls.log";
    const std::string calls = shell_quote(m_calls.string());
    for (const auto& [file, tests] : std::map<std::string, std::string>{
             {"demo-1", "tests::adds tests::fails"}, {"calc-2", "tests::parses tests::ignored_one"}}) {
      write_script(m_package / "target" / "deps" / file,
                   "printf '%s\\n' \"" + file + " cwd=$PWD manifest=$CARGO_MANIFEST_DIR bootstrap=$RUSTC_BOOTSTRAP "
                   "args=$*\" >> " + calls + "\n"
                   "if [ \"$1\" = --list ]; then for t in " + tests + "; do echo \"$t: test\"; done; echo 'b: bench';"
                   " exit 0; fi\n"
                   "shift\n"  // --exact
                   "status=0\n"
                   "echo '{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 2 }'\n"
                   "for t in \"$@\"; do case \"$t\" in\n"
                   "  -*) break ;;\n"
                   "  *fail*) status=101; printf '%s\\n' \"{ \\\"type\\\": \\\"test\\\", \\\"name\\\": \\\"$t\\\", "
                   "\\\"event\\\": \\\"failed\\\", \\\"stdout\\\": \\\"thread panicked at src/lib.rs:1:1:\\\\nboom\\\\n\\\" }\" ;;\n"
                   "  *) printf '%s\\n' \"{ \\\"type\\\": \\\"test\\\", \\\"name\\\": \\\"$t\\\", \\\"event\\\": \\\"ok\\\", "
                   "\\\"exec_time\\\": 0.5 }\" ;;\n"
                   "esac; done\n"
                   "exit $status\n");
    }
    const std::string manifest = (m_package / "Cargo.toml").string();
    const auto artifact = [&](const char* kind, const char* name, const std::string& exe) {
      return nlohmann::json{{"reason", "compiler-artifact"},
                            {"package_id", "path+file:///src/demo#0.1.0"},
                            {"manifest_path", manifest},
                            {"target", {{"kind", {kind}}, {"name", name}}},
                            {"profile", {{"test", true}}},
                            {"executable", (m_package / "target" / "deps" / exe).string()}}
          .dump();
    };
    write_file(root / "messages.json", joined_lines({artifact("lib", "demo", "demo-1"), artifact("bin", "calc", "calc-2"),
                                                 R"({"reason":"build-finished","success":true})"}));
    write_file(root / "listing.json",
               R"({"rust-suites":{"demo":{"binary-id":"demo","testcases":{"tests::adds":{"filter-match":{"status":"matches"}}}},)"
               R"("demo::bin/calc":{"binary-id":"demo::bin/calc","testcases":{"tests::parses":{}}}}})" "\n");
    m_cargo = root / "fake cargo";
    write_script(m_cargo,
                 "printf 'cargo %s\\n' \"$*\" >> " + calls + "\n"
                 "case \"$1 $2\" in\n"
                 "'nextest --version') exit " + std::string(nextest ? "0" : "101") + " ;;\n"
                 "'test --no-run')\n"
                 "  if [ -e " + shell_quote((root / "broken").string()) + " ]; then\n"
                 "    echo '   Compiling demo v0.1.0' >&2; echo 'error[E0425]: cannot find value `x`' >&2; exit 101; fi\n"
                 "  echo '   Compiling demo v0.1.0' >&2; cat " + shell_quote((root / "messages.json").string()) + " ;;\n"
                 "'test --doc') ;;\n"
                 "'nextest list') echo 'info: listing'; cat " + shell_quote((root / "listing.json").string()) + " ;;\n"
                 "'nextest run')\n"
                 "  while [ $# -gt 0 ]; do [ \"$1\" = --config-file ] && config=$2; shift; done\n"
                 "  path=$(sed -n 's/^path = \"\\(.*\\)\"$/\\1/p' \"$config\")\n"
                 "  printf '<testsuites><testsuite name=\"demo\"><testcase classname=\"demo\" name=\"tests::adds\"/>"
                 "</testsuite></testsuites>\\n' > \"$path\" ;;\n"
                 "*) echo \"unexpected cargo $*\" >&2; exit 2 ;;\n"
                 "esac\n");
  }

  nlohmann::json config(const nlohmann::json& extra = nlohmann::json::object()) const {
    nlohmann::json c = {{"cargo", shell_quote(m_cargo.string())},
                        {"working_dir", m_package.string()},
                        {"features", nlohmann::json::array()},
                        {"include_ignored", false}};
    c.update(extra);
    return c;
  }

  std::vector<std::string> calls() const {
    std::vector<std::string> lines;
    std::istringstream in(read_file(m_calls));
    for (std::string line; std::getline(in, line);) {
      lines.push_back(line);
    }
    return lines;
  }

  std::size_t count_calls(const std::string& prefix) const {
    std::size_t n = 0;
    for (const auto& line : calls()) {
      n += line.starts_with(prefix) ? 1 : 0;
    }
    return n;
  }

  void break_build() const { write_file(m_dir.path() / "broken", ""); }
  const fs::path& dir() const { return m_dir.path(); }
  const fs::path& package() const { return m_package; }

private:
  ScratchDir m_dir;
  fs::path m_package;
  fs::path m_cargo;
  fs::path m_calls;
};

std::vector<std::string> discovered(CargoFramework& framework, const std::string& filters = "",
                                    const std::string& group = "unit") {
  offload::sdk::Collector tests;
  framework.discover(nlohmann::json{{"group", group}, {"filters", filters}}.dump(), tests.sink(), nullptr);
  std::vector<std::string> ids;
  for (const std::string& record : tests.data()) {
    ids.push_back(nlohmann::json::parse(record).at("id").get<std::string>());
  }
  return ids;
}

std::string discover_error(CargoFramework& framework, const std::string& filters = "") {
  return offload::plugin_support::testing::failure_of([&] { discovered(framework, filters); }).what();
}

nlohmann::json build(CargoFramework& framework, const std::vector<std::string>& tests, const fs::path& result,
                     bool fail_fast = false) {
  const nlohmann::json request = {{"tests", tests}, {"result_file", result.string()}, {"fail_fast", fail_fast}};
  return nlohmann::json::parse(framework.build_command(request.dump()));
}

/// Runs a batch and maps its results back: {test ID: JUnit kind}.
std::map<std::string, offload::report::JUnitCase::Kind> run_batch(CargoFramework& framework,
                                                                   const std::vector<std::string>& tests,
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
  std::map<std::string, offload::report::JUnitCase::Kind> kinds;
  for (std::size_t i = 0; i < cases->size(); ++i) {
    REQUIRE(ids[i].is_string());
    kinds[ids[i].get<std::string>()] = (*cases)[i].kind;
  }
  return kinds;
}

} // namespace

TEST_SUITE_BEGIN("cargo_plugin");

TEST_CASE("cargo_plugin::create rejects values that cannot work, naming the key") {
  FakeProject project;
  const auto empty_package = creation_failure<CargoFramework>(project.config({{"package", ""}}));
  CHECK(empty_package.code() == OFFLOAD_EINVAL);
  CHECK(empty_package.key() == "package");
  const auto joined_features = creation_failure<CargoFramework>(project.config({{"features", {"a,b"}}}));
  CHECK(joined_features.key() == "features");
  CHECK(std::string(joined_features.what()).find("one feature name per entry") != std::string::npos);
  const auto bad_cargo = creation_failure<CargoFramework>(project.config({{"cargo", "'cargo"}}));
  CHECK(bad_cargo.key() == "cargo");
  CHECK(std::string(bad_cargo.what()).find("cargo: unterminated single quote") == 0);
  CHECK(creation_failure<CargoFramework>(project.config({{"working_dir", ""}})).key() == "working_dir");
  CHECK(creation_failure<CargoFramework>(project.config()).code() == 0);
}

TEST_CASE("cargo_plugin::discovery builds once and lists every binary in its package dir") {
  FakeProject project;
  FakeHost host;
  CargoFramework framework(host.table(), project.config().dump());
  CHECK_FALSE(framework.uses_nextest());
  CHECK(framework.describe() == R"({"results":"junit"})");
  CHECK(discovered(framework) == std::vector<std::string>{"demo tests::adds", "demo tests::fails",
                                                          "demo::bin/calc tests::parses",
                                                          "demo::bin/calc tests::ignored_one"});
  CHECK(discovered(framework, "--bin calc", "bins") ==
        std::vector<std::string>{"demo::bin/calc tests::parses", "demo::bin/calc tests::ignored_one"});
  CHECK(discovered(framework, "'adds' --skip nothing") == std::vector<std::string>{"demo tests::adds"});
  CHECK(project.count_calls("cargo test --no-run --message-format=json-render-diagnostics") == 1);
  CHECK(project.count_calls("demo-1 cwd=" + project.package().string() + " ") == 1);
  CHECK(project.count_calls("calc-2 ") == 1);
  const std::string bad = discover_error(framework, "--release");
  CHECK(bad.find("filters: unsupported option '--release'; expected test name filters") == 0);
  CHECK(discover_error(framework, "\"adds").find("filters: unterminated double quote") == 0);
}

TEST_CASE("cargo_plugin::package and features reach cargo") {
  FakeProject project;
  FakeHost host;
  CargoFramework framework(host.table(), project.config({{"package", "demo"}, {"features", {"fast", "x"}}}).dump());
  discovered(framework);
  CHECK(project.count_calls("cargo test --no-run --message-format=json-render-diagnostics -p demo --features fast,x") ==
        1);
}

TEST_CASE("cargo_plugin::a failed build is reported once, with cargo's error line") {
  FakeProject project;
  project.break_build();
  FakeHost host;
  CargoFramework framework(host.table(), project.config().dump());
  const std::string first = discover_error(framework);
  CHECK(first == "cargo test --no-run exited with status 101: error[E0425]: cannot find value `x`");
  CHECK(discover_error(framework) == first);
  CHECK(project.count_calls("cargo test --no-run") == 1);
}

TEST_CASE("cargo_plugin::a batch runs the built binaries directly and its results map back") {
  FakeProject project;
  FakeHost host;
  CargoFramework framework(host.table(), project.config().dump());
  const std::vector<std::string> ids = discovered(framework);
  const fs::path result = project.dir() / "result dir" / "it's.xml";
  fs::create_directories(result.parent_path());
  const auto kinds = run_batch(framework, ids, result, 101);
  using Kind = offload::report::JUnitCase::Kind;
  CHECK(kinds == std::map<std::string, Kind>{{"demo tests::adds", Kind::Passed},
                                             {"demo tests::fails", Kind::Failed},
                                             {"demo::bin/calc tests::parses", Kind::Passed},
                                             {"demo::bin/calc tests::ignored_one", Kind::Passed}});
  // Both binaries ran once, in the package dir with cargo's environment,
  // selecting exactly the batch's tests; cargo itself did not run again.
  const std::string run_env = " cwd=" + project.package().string() + " manifest=" + project.package().string() +
                              " bootstrap=1 args=--exact ";
  CHECK(project.count_calls("demo-1" + run_env + "tests::adds tests::fails -Z unstable-options --format json "
                            "--report-time") == 1);
  CHECK(project.count_calls("calc-2" + run_env + "tests::parses tests::ignored_one -Z unstable-options") == 1);
  CHECK(project.count_calls("cargo test --no-run") == 1);
  CHECK(project.count_calls("cargo test --doc -p demo -- --list --format terse") == 1);
  // Paths inside working_dir are written relative to it, with the absolute
  // path for a sandbox that copied the project without target/.
  const std::string script = build(framework, ids, result).at("shell").get<std::string>();
  CHECK(script.find("exe=\"$base\"/target/deps/demo-1\n[ -x \"$exe\" ] || exe=") != std::string::npos);
  CHECK(script.find("exec \"$exe\" --exact") != std::string::npos);
  CHECK(script.find("cd " + shell_quote(project.package().string()) + " || exit 1\n") == 0);

  const nlohmann::json unmatched = nlohmann::json::parse(framework.map_results(
      nlohmann::json{{"tests", {"demo tests::adds"}},
                     {"cases", {{{"classname", "demo"}, {"name", "tests::adds"}},
                                {{"classname", "demo::bin/calc"}, {"name", "tests::adds"}},
                                {{"name", "demo tests::adds"}}}}}
          .dump()));
  CHECK(unmatched == nlohmann::json({"demo tests::adds", nullptr, nullptr}));
}

TEST_CASE("cargo_plugin::fail_fast stops after the first failing binary; include_ignored is passed on") {
  FakeProject project;
  FakeHost host;
  CargoFramework framework(host.table(), project.config({{"include_ignored", true}}).dump());
  const std::vector<std::string> ids = discovered(framework);
  const fs::path result = project.dir() / "r.xml";
  const nlohmann::json command = build(framework, ids, result, true);
  CHECK(sh_status(command.at("shell").get<std::string>()) == 101);
  CHECK(project.count_calls("demo-1 cwd") == 2); // listed, then run
  CHECK(project.count_calls("calc-2 cwd") == 1); // listed only
  CHECK(project.calls().back().find("tests::adds tests::fails --include-ignored -Z unstable-options") !=
        std::string::npos);
}

TEST_CASE("cargo_plugin::build_command refuses IDs discovery did not produce") {
  FakeProject project;
  FakeHost host;
  CargoFramework framework(host.table(), project.config().dump());
  discovered(framework);
  CHECK_THROWS_WITH_AS(build(framework, {"demo::other t"}, project.dir() / "r.xml"),
                       "test ID 'demo::other t' names test binary 'demo::other', which discovery did not build",
                       offload::sdk::Failure);
  CHECK_THROWS_WITH_AS(build(framework, {"no-space"}, project.dir() / "r.xml"),
                       "test ID 'no-space' is not '<binary ID> <test name>'", offload::sdk::Failure);
}

TEST_CASE("cargo_plugin::with nextest installed, listing and batches go through cargo nextest") {
  FakeProject project(true);
  FakeHost host;
  CargoFramework framework(host.table(), project.config({{"include_ignored", true}, {"package", "demo"}}).dump());
  REQUIRE(framework.uses_nextest());
  CHECK(discovered(framework, "adds 'two words'") ==
        std::vector<std::string>{"demo tests::adds", "demo::bin/calc tests::parses"});
  CHECK(project.count_calls("cargo nextest list --message-format json -p demo --run-ignored all adds two words") == 1);
  CHECK(project.count_calls("cargo test") == 0);

  const fs::path result = project.dir() / "result dir" / "r.xml";
  fs::create_directories(result.parent_path());
  const auto kinds = run_batch(framework, {"demo tests::adds"}, result, 0);
  CHECK(kinds.size() == 1);
  CHECK(kinds.count("demo tests::adds") == 1);
  CHECK(project.count_calls("cargo nextest run --no-fail-fast --config-file " + result.string() +
                            ".nextest.toml -p demo --run-ignored all -E (binary_id(=demo) & test(=tests::adds))") == 1);
}

TEST_CASE("cargo_plugin::config_template loads and makes a working instance") {
  const offload_factory& factory = offload::plugins::cargo_factory();
  CHECK(std::string(factory.name) == "cargo");
  CHECK(factory.kind == OFFLOAD_KIND_FRAMEWORK);
  REQUIRE(factory.config_template != nullptr);
  std::istringstream text(std::string("[framework]\ntype = \"cargo\"\n") + factory.config_template);
  const auto section = toml::find(toml::parse(text, "template"), "framework").as_table();
  for (const auto& entry : section) {
    const std::string& key = entry.first; // a named variable: CAPTURE cannot take a structured binding (clang 14)
    bool known = key == "type";
    for (uint32_t i = 0; i < factory.option_count; ++i) {
      known = known || key == factory.options[i].name;
    }
    CAPTURE(key);
    CHECK(known);
  }
  nlohmann::json config = nlohmann::json::object();
  for (uint32_t i = 0; i < factory.option_count; ++i) {
    const offload_option& option = factory.options[i];
    CHECK((option.flags & OFFLOAD_OPTION_REQUIRED) == 0);
    if (option.default_json != nullptr) {
      config[option.name] = nlohmann::json::parse(option.default_json);
    }
  }
  CHECK(config["cargo"] == section.at("cargo").as_string().str);
  CHECK(config["include_ignored"] == section.at("include_ignored").as_boolean());
  FakeHost host;
  CHECK_NOTHROW(CargoFramework(host.table(), config.dump()));
}

TEST_SUITE_END();
