// SPDX-License-Identifier: MIT
#include "gtest_report.hpp"
#include "report/junit.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using offload::plugins::junit_document;
using offload::plugins::parse_gtest_results;
using offload::plugins::part_marker;
using offload::report::JUnitCase;
using offload::report::parse_junit;

namespace {

// Shaped like gtest 1.12's --gtest_output=json (trimmed of counters).
const std::string k_calculator = R"({
  "tests": 5, "name": "AllTests",
  "testsuites": [
    {"name": "Arithmetic", "tests": 4, "testsuite": [
      {"name": "Adds", "status": "RUN", "result": "COMPLETED", "time": "0.25s", "classname": "Arithmetic"},
      {"name": "Fails", "status": "RUN", "result": "COMPLETED", "time": "0s", "classname": "Arithmetic",
       "failures": [{"failure": "calc.cpp:4\nExpected equality of these values:\n  1 + 1\n    Which is: 2\n  3\non purpose", "type": ""},
                    {"failure": "calc.cpp:5\nsecond", "type": ""}]},
      {"name": "Skipped", "status": "RUN", "result": "SKIPPED", "time": "0s", "classname": "Arithmetic"},
      {"name": "DISABLED_Off", "status": "NOTRUN", "result": "SUPPRESSED", "time": "0s", "classname": "Arithmetic"}
    ]},
    {"name": "Evens\/Par", "tests": 1, "testsuite": [
      {"name": "Even\/1", "value_param": "4", "status": "RUN", "result": "COMPLETED", "time": "0.001s", "classname": "Evens\/Par"}
    ]}
  ]
}
)";

const std::string k_strings = R"({"testsuites": [{"name": "Strings", "testsuite": [
  {"name": "Concatenates", "status": "RUN", "result": "COMPLETED", "time": "0s", "classname": "Strings"}]}]}
)";

std::map<std::string, JUnitCase> cases_by_id(const std::string& data) {
  const auto cases = parse_junit(junit_document(parse_gtest_results(data)));
  REQUIRE(cases);
  std::map<std::string, JUnitCase> by_id;
  for (const JUnitCase& c : *cases) {
    by_id[c.classname + "." + c.name] = c;
  }
  return by_id;
}

} // namespace

TEST_SUITE_BEGIN("gtest_plugin");

TEST_CASE("gtest_plugin::a single binary's report becomes JUnit with gtest's names") {
  const auto by_id = cases_by_id(part_marker("") + "\n" + k_calculator);
  REQUIRE(by_id.size() == 5);
  CHECK(by_id.at("Arithmetic.Adds").kind == JUnitCase::Kind::Passed);
  CHECK(by_id.at("Arithmetic.Adds").time_secs == doctest::Approx(0.25));
  const JUnitCase& fails = by_id.at("Arithmetic.Fails");
  CHECK(fails.kind == JUnitCase::Kind::Failed);
  CHECK(fails.message == "Expected equality of these values: 1 + 1 Which is: 2 3 on purpose");
  CHECK(fails.details == "calc.cpp:4\nExpected equality of these values:\n  1 + 1\n    Which is: 2\n  3\non purpose"
                         "\n\ncalc.cpp:5\nsecond");
  CHECK(by_id.at("Arithmetic.Skipped").kind == JUnitCase::Kind::Skipped);
  CHECK(by_id.at("Arithmetic.DISABLED_Off").kind == JUnitCase::Kind::Skipped);
  CHECK(by_id.at("Evens/Par.Even/1").kind == JUnitCase::Kind::Passed);
}

TEST_CASE("gtest_plugin::several binaries' reports keep their prefixes; a crashed one adds nothing") {
  const std::string data = part_marker("calculator_test") + "\n" + k_calculator + "\n" + part_marker("crashed_test") +
                           "\n" + part_marker("strings_test") + "\n" + k_strings + part_marker("cut_test") +
                           "\n{\"testsuites\": [{\"name\": \"Cut\", \"testsu";
  const auto by_id = cases_by_id(data);
  CHECK(by_id.size() == 6);
  CHECK(by_id.at("calculator_test Arithmetic.Fails").kind == JUnitCase::Kind::Failed);
  CHECK(by_id.at("calculator_test Evens/Par.Even/1").kind == JUnitCase::Kind::Passed);
  CHECK(by_id.at("strings_test Strings.Concatenates").kind == JUnitCase::Kind::Passed);
  const auto suites = parse_gtest_results(data);
  REQUIRE(suites.size() == 3);
  CHECK(suites[0].name == "calculator_test Arithmetic");
  CHECK(suites[2].name == "strings_test Strings");
}

TEST_CASE("gtest_plugin::text before the first marker and invalid UTF-8 are harmless") {
  const std::string report = R"({"testsuites": [{"name": "S", "testsuite": [{"name": "T", "classname": "S",
    "result": "COMPLETED", "failures": [{"failure": "f.cpp:1\nbad byte )" "\xff" R"( here"}]}]}]})";
  const auto by_id = cases_by_id("garbage\n" + part_marker("") + "\n" + report);
  REQUIRE(by_id.size() == 1);
  CHECK(by_id.at("S.T").message == "bad byte \xEF\xBF\xBD here");
  CHECK(parse_gtest_results("").empty());
}

TEST_SUITE_END();
