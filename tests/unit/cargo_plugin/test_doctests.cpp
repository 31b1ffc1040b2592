// SPDX-License-Identifier: MIT
#include "../../../plugins/cargo/doctests.hpp"
#include "../../../plugins/cargo/libtest_report.hpp"
#include "../../../plugins/vitest/vitest_report.hpp"
#include "report/junit.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace offload::plugins;
using offload::report::parse_junit;

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

TEST_CASE("vitest_plugin::name patterns escape regex syntax and join parts with spaces") {
  CHECK(name_pattern("suite > it's (1 + 2) * $x") == "suite it's \\(1 \\+ 2\\) \\* \\$x");
  CHECK(name_pattern("a > b > c.d") == "a b c\\.d");
}

TEST_CASE("vitest_plugin::the report keeps only the batch's tests") {
  const std::string data = wanted_marker({"t/a.test.js > s > one"}) + "\n" +
                           R"(<testsuites><testsuite name="t/a.test.js">)"
                           R"(<testcase classname="t/a.test.js" name="s &gt; one" time="0.5"><failure message="boom" type="Error">at x</failure></testcase>)"
                           R"(<testcase classname="t/a.test.js" name="s &gt; two" time="0"><skipped/></testcase>)"
                           R"(</testsuite></testsuites>)";
  const auto cases = parse_junit(convert_vitest_report(data));
  REQUIRE(cases);
  REQUIRE(cases->size() == 1);
  CHECK((*cases)[0].name == "s > one");
  CHECK((*cases)[0].message == "boom");
  CHECK(parse_junit(convert_vitest_report(wanted_marker({"x > y"}) + "\n"))->empty());
}

TEST_SUITE_END();
