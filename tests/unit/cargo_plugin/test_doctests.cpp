// SPDX-License-Identifier: MIT
#include "doctests.hpp"
#include "libtest_report.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace offload::plugins;

TEST_SUITE_BEGIN("cargo_plugin");

TEST_CASE("cargo_plugin::doctests are selected by their item's longest word and filtered to the batch") {
  TestBinary library;
  library.binary_id = "demo";
  library.kind = "lib";
  library.package_dir = "/p";
  const TestBinary doctests = doctest_binary(library);
  CHECK(doctests.binary_id == "demo::doctest");
  CHECK(doctests.kind == k_doctest_kind);
  CHECK(doctest_package(doctests) == "demo");
  CHECK(doctest_filter_args({"src/lib.rs - math::add (line 7)", "src/lib.rs - Pair<A, B>::swap (line 9)",
                             "src/lib.rs - math::add (line 12)"}) == std::vector<std::string>{"B>::swap", "math::add"});

  // rustdoc ran one doctest more than was asked for: only the asked one is a result.
  const std::string data = binary_marker("demo::doctest") + "\n" + only_marker({"src/lib.rs - add (line 7)"}) + "\n" +
                           R"j({ "type": "test", "name": "src/lib.rs - add (line 7)", "event": "ok" })j" "\n"
                           R"j({ "type": "test", "name": "src/lib.rs - add (line 12)", "event": "failed" })j" "\n";
  const auto suites = parse_libtest_results(data);
  REQUIRE(suites.size() == 1);
  REQUIRE(suites[0].results.size() == 1);
  CHECK(suites[0].results[0].name == "src/lib.rs - add (line 7)");
  CHECK(suites[0].results[0].classname == "demo::doctest");
}

TEST_CASE("cargo_plugin::JUnit names follow binary and module path") {
  CHECK(case_name("demo", "tests::nested::works").classname == "demo::tests::nested");
  CHECK(case_name("demo", "tests::nested::works").name == "works");
  CHECK(case_name("demo::integration", "top_level").classname == "demo::integration");
  CHECK(case_name("demo::doctest", "src/lib.rs - a::b (line 3)").name == "src/lib.rs - a::b (line 3)");
}

TEST_SUITE_END();
