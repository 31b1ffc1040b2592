// SPDX-License-Identifier: MIT
#include "vitest_report.hpp"
#include "report/junit.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace offload::plugins;
using offload::report::parse_junit;

TEST_SUITE_BEGIN("vitest_plugin");

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
