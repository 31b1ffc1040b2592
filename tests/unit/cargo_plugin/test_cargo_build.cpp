// SPDX-License-Identifier: MIT
#include "cargo_build.hpp"
#include "test_filter.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using offload::plugins::binary_id;
using offload::plugins::package_name;
using offload::plugins::parse_test_artifacts;
using offload::plugins::parse_test_list;
using offload::plugins::TestBinary;
using offload::plugins::TestFilter;

namespace {

std::string artifact(const std::string& package_id, const std::vector<std::string>& kinds, const std::string& name,
                     bool test, const nlohmann::json& executable, const std::string& manifest = "/src/demo/Cargo.toml") {
  return nlohmann::json{{"reason", "compiler-artifact"},
                        {"package_id", package_id},
                        {"manifest_path", manifest},
                        {"target", {{"kind", kinds}, {"crate_types", kinds}, {"name", name}, {"src_path", "/x.rs"}}},
                        {"profile", {{"opt_level", "0"}, {"test", test}}},
                        {"executable", executable},
                        {"fresh", true}}
      .dump();
}

TestBinary binary(const std::string& kind, const std::string& target) {
  TestBinary b;
  b.kind = kind;
  b.target_name = target;
  b.binary_id = binary_id("demo", kind, target);
  return b;
}

std::vector<std::string> selected(const std::vector<std::string>& words, const TestBinary& b,
                                  const std::vector<std::string>& names) {
  const TestFilter filter(words, "group 'g' filters");
  std::vector<std::string> out;
  for (const std::string& name : names) {
    if (filter.selects(b, name)) {
      out.push_back(name);
    }
  }
  return out;
}

} // namespace

TEST_SUITE_BEGIN("cargo_plugin");

TEST_CASE("cargo_plugin::package_name reads every package ID form cargo prints") {
  CHECK(package_name("path+file:///tmp/cx/demo#0.1.0") == "demo");
  CHECK(package_name("path+file:///tmp/cx/dir#my-crate@0.1.0") == "my-crate");
  CHECK(package_name("registry+https://github.com/rust-lang/crates.io-index#serde@1.0.197") == "serde");
  CHECK(package_name("git+https://github.com/a/repo?branch=main#name@2.0.0") == "name");
  CHECK(package_name("git+https://github.com/a/tool?rev=abc#1.2.3") == "tool");
  CHECK(package_name("path+file:///work/my-crate/#0.1.0") == "my-crate");
  CHECK(package_name("path+file:///work/x#only-name") == "only-name");
  CHECK(package_name("demo 0.1.0 (path+file:///tmp/cx/demo)") == "demo");
}

TEST_CASE("cargo_plugin::binary_id follows nextest's naming") {
  CHECK(binary_id("my-crate", "lib", "my_crate") == "my-crate");
  CHECK(binary_id("my-crate", "test", "integration") == "my-crate::integration");
  CHECK(binary_id("my-crate", "bin", "calc") == "my-crate::bin/calc");
  CHECK(binary_id("my-crate", "example", "demo") == "my-crate::example/demo");
}

TEST_CASE("cargo_plugin::parse_test_artifacts keeps the test builds with executables") {
  const std::vector<std::string> lines = {
      "   Compiling demo v0.1.0 (/src/demo)",
      artifact("path+file:///src/demo#0.1.0", {"lib"}, "demo", false, nullptr),
      artifact("path+file:///src/demo#0.1.0", {"test"}, "integration", true, "/t/debug/deps/integration-1"),
      artifact("path+file:///src/demo#0.1.0", {"rlib", "cdylib"}, "demo", true, "/t/debug/deps/demo-2"),
      artifact("path+file:///src/demo#0.1.0", {"bin"}, "calc", false, "/t/debug/calc"),
      artifact("path+file:///src/demo#0.1.0", {"bin"}, "calc", true, "/t/debug/deps/calc-3"),
      artifact("path+file:///src/demo#0.1.0", {"example"}, "ex", false, "/t/debug/examples/ex"),
      artifact("path+file:///src/demo#0.1.0", {"test"}, "custom", false, "/t/debug/deps/custom-4"),
      artifact("path+file:///src/ws/#proc@0.1.0", {"proc-macro"}, "proc", true, "/t/debug/deps/proc-5",
               "/src/ws/proc/Cargo.toml"),
      R"({"reason":"compiler-message","message":{"rendered":"warning"}})",
      R"({"reason":"compiler-artifact","profile":{"test":"yes"},"target":{"kind":["lib"],"name":"x"},"executable":"/x"})",
      "{not json",
      R"({"reason":"build-finished","success":true})",
  };
  const auto artifacts = parse_test_artifacts(lines);
  REQUIRE(artifacts.binaries.size() == 4);
  CHECK(artifacts.binaries[0].binary_id == "demo::integration");
  CHECK(artifacts.binaries[0].kind == "test");
  CHECK(artifacts.binaries[0].executable == "/t/debug/deps/integration-1");
  CHECK(artifacts.binaries[0].package_dir == "/src/demo");
  CHECK(artifacts.binaries[1].binary_id == "demo");
  CHECK(artifacts.binaries[1].kind == "lib");
  CHECK(artifacts.binaries[2].binary_id == "demo::bin/calc");
  CHECK(artifacts.binaries[2].target_name == "calc");
  CHECK(artifacts.binaries[3].binary_id == "proc");
  CHECK(artifacts.binaries[3].package_dir == "/src/ws/proc");
  CHECK(artifacts.without_harness == std::vector<std::string>{"custom"});
}

TEST_CASE("cargo_plugin::parse_test_list reads libtest's terse listing") {
  const std::vector<std::string> lines = {"tests::adds: test", "tests::nested::deep: test\r", "bench_sum: bench", "",
                                          "3 tests, 1 benchmarks", "weird: test: test"};
  CHECK(parse_test_list(lines) == std::vector<std::string>{"tests::adds", "tests::nested::deep", "weird: test"});
}

TEST_CASE("cargo_plugin::TestFilter reads names like libtest and targets like cargo") {
  const std::vector<std::string> names = {"tests::adds", "tests::adds_more", "tests::divides", "other::adds"};
  const TestBinary lib = binary("lib", "demo");
  CHECK(selected({}, lib, names) == names);
  CHECK(selected({"adds"}, lib, names) == std::vector<std::string>{"tests::adds", "tests::adds_more", "other::adds"});
  CHECK(selected({"divides", "other"}, lib, names) == std::vector<std::string>{"tests::divides", "other::adds"});
  CHECK(selected({"--exact", "tests::adds"}, lib, names) == std::vector<std::string>{"tests::adds"});
  CHECK(selected({"tests::", "--skip", "adds_more", "--skip", "divides"}, lib, names) ==
        std::vector<std::string>{"tests::adds"});
  CHECK(selected({"--exact", "--skip", "tests::adds"}, lib, names) ==
        std::vector<std::string>{"tests::adds_more", "tests::divides", "other::adds"});

  const TestBinary calc = binary("bin", "calc");
  const TestBinary integration = binary("test", "integration");
  CHECK(selected({"--lib"}, lib, names).size() == 4);
  CHECK(selected({"--lib"}, calc, names).empty());
  CHECK(selected({"--bin", "calc"}, calc, names).size() == 4);
  CHECK(selected({"--bin", "other"}, calc, names).empty());
  CHECK(selected({"--test", "integration", "--lib"}, integration, names).size() == 4);
  CHECK(selected({"--test", "integration", "--lib"}, calc, names).empty());
  CHECK(selected({"--test", "calc"}, calc, names).empty());
}

TEST_CASE("cargo_plugin::TestFilter refuses options it does not know and missing values") {
  try {
    TestFilter({"--nocapture"}, "group 'unit' filters");
    FAIL("accepted --nocapture");
  } catch (const offload::sdk::Failure& failure) {
    CHECK(failure.code() == OFFLOAD_EINVAL);
    CHECK(std::string(failure.what()).find("group 'unit' filters: unsupported option '--nocapture'") == 0);
  }
  try {
    TestFilter({"adds", "--skip"}, "group 'unit' filters");
    FAIL("accepted --skip without a value");
  } catch (const offload::sdk::Failure& failure) {
    CHECK(std::string(failure.what()) == "group 'unit' filters: '--skip' needs a value after it");
  }
}

TEST_SUITE_END();
