// SPDX-License-Identifier: MIT
#include "junit_xml.hpp"
#include "libtest_report.hpp"
#include "nextest.hpp"
#include "report/junit.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using offload::plugins::binary_marker;
using offload::plugins::junit_document;
using offload::plugins::JUnitResult;
using offload::plugins::JUnitSuite;
using offload::plugins::panic_message;
using offload::plugins::parse_libtest_results;
using offload::plugins::valid_utf8;
using offload::report::JUnitCase;
using offload::report::parse_junit;

namespace {

// What a real test binary printed (rustc 1.95, `--format json --report-time`),
// with a line a test printed outside libtest's capture and a binary that
// died after starting a test.
const std::string k_results = binary_marker("demo") + "\n" + R"({ "type": "suite", "event": "started", "test_count": 4 }
{ "type": "test", "event": "started", "name": "tests::adds" }
{ "type": "test", "name": "tests::adds", "event": "ok", "exec_time": 0.25 }
stray output from a thread
{ "type": "test", "name": "tests::ignored_one", "event": "ignored", "message": "slow" }
{ "type": "test", "name": "tests::fails", "event": "failed", "exec_time": 1.5, "stdout": "some output\n\nthread 'tests::fails' (25467) panicked at src/lib.rs:6:51:\nassertion `left == right` failed\n  left: 4\n right: 5\n" }
{ "type": "test", "name": "tests::plain_ignore", "event": "ignored" }
{ "type": "test", "name": "tests::no_panic", "event": "failed", "stdout": "", "message": "note: test did not panic as expected at src/lib.rs:9:8" }
{ "type": "test", "event": "timeout", "name": "tests::slow" }
{ "type": "suite", "event": "failed", "passed": 1, "failed": 2, "ignored": 2, "measured": 0, "filtered_out": 0, "exec_time": 1.6 }
)" + binary_marker("demo::bin/calc") + "\n" +
                              R"({ "type": "suite", "event": "started", "test_count": 2 }
{ "type": "test", "event": "started", "name": "tests::parses" }
{ "type": "test", "name": "tests::parses", "event": "ok" }
{ "type": "test", "event": "started", "name": "tests::aborts" }
)";

const JUnitResult* find(const std::vector<JUnitSuite>& suites, const std::string& name) {
  for (const auto& suite : suites) {
    for (const auto& result : suite.results) {
      if (result.name == name) {
        return &result;
      }
    }
  }
  return nullptr;
}

} // namespace

TEST_SUITE_BEGIN("cargo_plugin");

TEST_CASE("cargo_plugin::parse_libtest_results keeps final events per binary") {
  const auto suites = parse_libtest_results(k_results);
  REQUIRE(suites.size() == 2);
  CHECK(suites[0].name == "demo");
  CHECK(suites[0].results.size() == 5);
  CHECK(suites[1].name == "demo::bin/calc");
  REQUIRE(suites[1].results.size() == 1); // tests::aborts never finished
  CHECK(suites[1].results[0].classname == "demo::bin/calc");

  const JUnitResult* adds = find(suites, "tests::adds");
  REQUIRE(adds != nullptr);
  CHECK(adds->outcome == JUnitResult::Outcome::Passed);
  CHECK(adds->classname == "demo");
  CHECK(adds->time_secs == doctest::Approx(0.25));

  const JUnitResult* fails = find(suites, "tests::fails");
  REQUIRE(fails != nullptr);
  CHECK(fails->outcome == JUnitResult::Outcome::Failed);
  CHECK(fails->message == "assertion `left == right` failed");
  CHECK(fails->details.find("some output") == 0);
  CHECK(fails->details.find("right: 5") != std::string::npos);

  const JUnitResult* no_panic = find(suites, "tests::no_panic");
  REQUIRE(no_panic != nullptr);
  CHECK(no_panic->outcome == JUnitResult::Outcome::Failed);
  CHECK(no_panic->message == "note: test did not panic as expected at src/lib.rs:9:8");

  CHECK(find(suites, "tests::ignored_one")->outcome == JUnitResult::Outcome::Skipped);
  CHECK(find(suites, "tests::ignored_one")->message == "ignored: slow");
  CHECK(find(suites, "tests::plain_ignore")->message == "ignored");
  CHECK(find(suites, "tests::slow") == nullptr);
  CHECK(find(suites, "tests::aborts") == nullptr);
  CHECK(parse_libtest_results("{ \"type\": \"test\", \"name\": \"x\", \"event\": \"ok\" }\n").empty());
}

TEST_CASE("cargo_plugin::panic_message reads old and new panic formats") {
  CHECK(panic_message("thread 't' panicked at src/lib.rs:3:5:\nboom\nnote: run with RUST_BACKTRACE", "x") == "boom");
  CHECK(panic_message("thread 't' panicked at 'boom', src/lib.rs:3:5\n", "x") == "'boom', src/lib.rs:3:5");
  CHECK(panic_message("no panic here", "fallback") == "fallback");
}

TEST_CASE("cargo_plugin::libtest results become JUnit the host reads back") {
  const std::string xml = junit_document(parse_libtest_results(k_results));
  const auto cases = parse_junit(xml);
  REQUIRE(cases);
  REQUIRE(cases->size() == 6);
  std::map<std::string, JUnitCase> by_id;
  for (const JUnitCase& c : *cases) {
    by_id[c.classname + " " + c.name] = c;
  }
  CHECK(by_id.at("demo tests::adds").kind == JUnitCase::Kind::Passed);
  CHECK(by_id.at("demo tests::adds").time_secs == doctest::Approx(0.25));
  CHECK(by_id.at("demo tests::fails").kind == JUnitCase::Kind::Failed);
  CHECK(by_id.at("demo tests::fails").message == "assertion `left == right` failed");
  CHECK(by_id.at("demo tests::fails").details.find("  left: 4\n right: 5") != std::string::npos);
  CHECK(by_id.at("demo tests::ignored_one").kind == JUnitCase::Kind::Skipped);
  CHECK(by_id.at("demo::bin/calc tests::parses").kind == JUnitCase::Kind::Passed);
}

TEST_CASE("cargo_plugin::junit_document escapes markup, control characters and bad UTF-8") {
  JUnitResult result;
  result.classname = "a\"b<c>&d";
  result.name = "n\x01m\xff";
  result.outcome = JUnitResult::Outcome::Failed;
  result.message = "line one\nline two";
  result.details = "]]> <tag> & \x1b[31mred\x1b[0m \xc3\xa9t\xc3\xa9 \xe2\x82";
  const std::string xml = junit_document({{"suite & co", {result}}});
  const auto cases = parse_junit(xml);
  REQUIRE(cases);
  REQUIRE(cases->size() == 1);
  const JUnitCase& c = cases->front();
  CHECK(c.classname == "a\"b<c>&d");
  CHECK(c.name == "n\xEF\xBF\xBDm\xEF\xBF\xBD");
  CHECK(c.message == "line one\nline two");
  CHECK(c.details == "]]> <tag> & \xEF\xBF\xBD[31mred\xEF\xBF\xBD[0m \xc3\xa9t\xc3\xa9 \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(valid_utf8("\xf0\x9f\x98\x80 ok") == "\xf0\x9f\x98\x80 ok");
  CHECK(valid_utf8("\xc0\xaf") == "\xEF\xBF\xBD\xEF\xBF\xBD"); // overlong '/'
  CHECK(valid_utf8("\xed\xa0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); // a UTF-16 surrogate
}

TEST_CASE("cargo_plugin::nextest listing, filterset and JUnit config") {
  const std::string listing = R"({"rust-build-meta":{"target-directory":"/t"},"test-count":4,"rust-suites":{
    "demo":{"binary-id":"demo","binary-path":"/t/demo-1","kind":"lib","testcases":{
      "tests::adds":{"ignored":false,"filter-match":{"status":"matches"}},
      "tests::slow":{"ignored":true,"filter-match":{"status":"mismatch","reason":"ignored"}}}},
    "demo::integration":{"binary-id":"demo::integration","testcases":{
      "it_works":{"ignored":false}}}}})";
  CHECK(offload::plugins::parse_nextest_list(listing) ==
        std::vector<std::string>{"demo tests::adds", "demo::integration it_works"});
  CHECK_THROWS_AS(offload::plugins::parse_nextest_list("error: no such command"), offload::sdk::Failure);
  CHECK(offload::plugins::nextest_filterset({"demo tests::adds", "demo::bin/calc tests::parses"}) ==
        "(binary_id(=demo) & test(=tests::adds)) | (binary_id(=demo::bin/calc) & test(=tests::parses))");
  CHECK(offload::plugins::nextest_junit_config("/scratch/a \"b\"\\c.xml") ==
        "[profile.default.junit]\npath = \"/scratch/a \\\"b\\\"\\\\c.xml\"\n");
}

TEST_SUITE_END();
