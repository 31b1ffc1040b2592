// SPDX-License-Identifier: MIT
#include "report/junit.hpp"
#include "report_test_util.hpp"

#include <doctest/doctest.h>
#include <tinyxml2.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <regex>
#include <string>
#include <vector>

using namespace offload;
using namespace offload::report;
using report::test::TempDir;

namespace {

std::map<std::string, JUnitCase> by_name(const std::vector<JUnitCase>& cases) {
  std::map<std::string, JUnitCase> out;
  for (const JUnitCase& c : cases) {
    out.emplace(c.name, c);
  }
  return out;
}

std::filesystem::path surefire_xsd() {
  const std::filesystem::path relative = "shared/schemas/surefire-test-report-3.0.xsd";
  if (const char* root = std::getenv("OFFLOAD_SOURCE_ROOT"); root != nullptr && *root != '\0') {
    const auto candidate = std::filesystem::path(root) / ".." / relative;
    if (std::filesystem::exists(candidate)) {
      return candidate;
    }
  }
  return std::filesystem::path("/work") / relative;
}

/// xmllint's exit status and combined output. Named members, not a pair
/// bound with `auto [..]`: clang 14 cannot capture a structured binding in
/// the lambda doctest's CHECK_MESSAGE makes.
struct XmllintRun {
  int status = -1;
  std::string output;
};

XmllintRun run_xmllint(const std::string& args) {
  const std::string command = "xmllint " + args + " 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
    output.append(buf, n);
  }
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

void require_xmllint() {
  REQUIRE_MESSAGE(std::system("command -v xmllint >/dev/null 2>&1") == 0,
                  "xmllint (libxml2-utils) is required to validate the JUnit report");
}

Attempt attempt(AttemptResult result, double secs, std::string message = "",
                std::string details = "") {
  Attempt a;
  a.result = result;
  a.duration_secs = secs;
  a.message = std::move(message);
  a.details = std::move(details);
  return a;
}

TestRecord record(std::string id, std::size_t group, Verdict verdict, std::vector<Attempt> attempts) {
  TestRecord r;
  r.test.id = std::move(id);
  r.test.group = group;
  r.verdict = verdict;
  r.attempts = std::move(attempts);
  return r;
}

const std::string weird_id = "tests/w.py::test_<odd>&\"quoted\"'s[ünï-çødé-😀]";

/// Every kind of test the writer has to handle.
struct Fixture {
  std::vector<TestRecord> records;
  std::vector<std::string> groups{"unit", "integration", "empty"};
  std::vector<StrayResult> strays;
  RunInfo info;
  std::string big_err;

  Fixture() {
    info.name = "offload run";
    info.wall_secs = 42.5;
    info.timestamp = "2024-05-01T10:11:12";
    info.hostname = "ci-box";

    auto pass = attempt(AttemptResult::Passed, 0.1234);
    pass.system_out = "hello\n";
    records.push_back(record("tests/a.py::test_pass", 0, Verdict::Passed, {pass}));

    auto first = attempt(AttemptResult::Failed, 1.0, "assert 1 == 2", "trace one");
    first.system_out = "first out";
    records.push_back(record("tests/a.py::test_fail", 0, Verdict::Failed,
                             {first, attempt(AttemptResult::TimedOut, 30.0, "timed out after 30 s"),
                              attempt(AttemptResult::Failed, 2.25, "assert 3 == 4\n\twhere 3 = f()", "trace three")}));

    auto healed = attempt(AttemptResult::Passed, 0.5);
    healed.system_out = "passing out";
    healed.system_err = "passing err";
    records.push_back(record("tests/a.py::test_flaky", 0, Verdict::Flaky,
                             {attempt(AttemptResult::Failed, 0.75, "flaked", "flake trace"), healed}));

    records.push_back(record("tests/a.py::test_skip", 0, Verdict::Skipped,
                             {attempt(AttemptResult::Skipped, 0.0, "no gpu", "skip reason")}));
    records.push_back(record("tests/a.py::test_timeout", 0, Verdict::Failed,
                             {attempt(AttemptResult::TimedOut, 60.0, "timed out after 60 s")}));
    records.push_back(record("tests/a.py::test_crash", 0, Verdict::Failed,
                             {attempt(AttemptResult::Crashed, 3.0, "runner exited with 139")}));
    auto not_run = record("tests/a.py::test_not_run", 0, Verdict::NotRun, {});
    not_run.not_run_reason = "fail-fast stopped the run";
    records.push_back(not_run);

    auto noisy = attempt(AttemptResult::Passed, 1.5);
    noisy.system_out = std::string("\x1b[31mred\x1b[0m nul:") + '\0' + "| bad:\xff| ok: é";
    big_err.reserve(3 * 1024 * 1024 + 16);
    for (int i = 0; big_err.size() < 3 * 1024 * 1024; ++i) {
      big_err += "line " + std::to_string(i) + "\n";
    }
    big_err += "THE END";
    noisy.system_err = big_err;
    records.push_back(record(weird_id, 1, Verdict::Passed, {noisy}));

    StrayResult stray;
    stray.name = "test_ghost";
    stray.classname = "tests.ghost";
    stray.batch = 7;
    stray.attempt = attempt(AttemptResult::Failed, 0.25, "boo", "ghost trace");
    strays.push_back(stray);
  }
};

const tinyxml2::XMLElement* find_case(const tinyxml2::XMLElement* root, const std::string& name) {
  for (auto* suite = root->FirstChildElement("testsuite"); suite != nullptr;
       suite = suite->NextSiblingElement("testsuite")) {
    for (auto* tc = suite->FirstChildElement("testcase"); tc != nullptr;
         tc = tc->NextSiblingElement("testcase")) {
      if (name == tc->Attribute("name")) {
        return tc;
      }
    }
  }
  return nullptr;
}

std::vector<std::string> child_names(const tinyxml2::XMLElement* element) {
  std::vector<std::string> names;
  for (auto* child = element->FirstChildElement(); child != nullptr;
       child = child->NextSiblingElement()) {
    names.emplace_back(child->Name());
  }
  return names;
}

} // namespace

TEST_SUITE_BEGIN("report");

TEST_CASE("report::parse_junit reads a pytest 7 report") {
  const std::string xml = R"(<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5" time="0.152" timestamp="2023-06-01T12:00:00.000000" hostname="box"><testcase classname="tests.test_x" name="test_a" time="0.001" /><testcase classname="tests.test_x" name="test_b" time="0.002"><failure message="assert 1 == 2">def test_b():
&gt;       assert 1 == 2
E       assert 1 == 2

tests/test_x.py:5: AssertionError</failure><system-out>captured out
</system-out><system-err>captured err</system-err></testcase><testcase classname="tests.test_x" name="test_c" time="0.000"><skipped type="pytest.skip" message="no network">/repo/tests/test_x.py:9: no network</skipped></testcase><testcase classname="tests.test_x" name="test_d" time="0.003"><error message="failed on setup with &quot;fixture 'db' not found&quot;">file /repo/tests/test_x.py, line 11</error></testcase><testcase classname="tests.test_x" name="test_e[1-2]" time="0.146" /></testsuite></testsuites>
)";
  const auto parsed = parse_junit(xml);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 5);
  const auto& cases = *parsed;

  CHECK(cases[0].name == "test_a");
  CHECK(cases[0].classname == "tests.test_x");
  CHECK(cases[0].kind == JUnitCase::Kind::Passed);
  CHECK(cases[0].time_secs == doctest::Approx(0.001));

  CHECK(cases[1].kind == JUnitCase::Kind::Failed);
  CHECK(cases[1].message == "assert 1 == 2");
  CHECK(cases[1].details.find(">       assert 1 == 2\n") != std::string::npos);
  CHECK(cases[1].system_out == "captured out\n");
  CHECK(cases[1].system_err == "captured err");

  CHECK(cases[2].kind == JUnitCase::Kind::Skipped);
  CHECK(cases[2].message == "no network");
  CHECK(cases[2].details == "/repo/tests/test_x.py:9: no network");

  CHECK(cases[3].kind == JUnitCase::Kind::Error);
  CHECK(cases[3].message == "failed on setup with \"fixture 'db' not found\"");
  CHECK(cases[3].details == "file /repo/tests/test_x.py, line 11");

  CHECK(cases[4].name == "test_e[1-2]");
  CHECK(cases[4].time_secs == doctest::Approx(0.146));
}

TEST_CASE("report::parse_junit finds testcases in nested suites and a <testsuite> root") {
  const auto nested = parse_junit(R"(<testsuites>
  <testsuite name="outer">
    <testcase name="first" classname="o"/>
    <testsuite name="middle"><testsuite name="inner"><testcase name="deep" classname="i"/></testsuite></testsuite>
    <testcase name="last" classname="o"/>
  </testsuite>
  <testsuite name="second"><testcase name="other" classname="s"/></testsuite>
</testsuites>)");
  REQUIRE(nested.ok());
  REQUIRE(nested->size() == 4);
  CHECK((*nested)[0].name == "first");
  CHECK((*nested)[1].name == "deep");
  CHECK((*nested)[1].classname == "i");
  CHECK((*nested)[2].name == "last");
  CHECK((*nested)[3].name == "other");

  const auto single = parse_junit(R"(<testsuite name="s"><testcase name="only"/><properties/></testsuite>)");
  REQUIRE(single.ok());
  REQUIRE(single->size() == 1);
  CHECK((*single)[0].name == "only");
}

TEST_CASE("report::parse_junit decodes named and numeric character references") {
  const auto parsed = parse_junit(
      R"(<testsuite name="e"><testcase name="a&lt;b&gt;&amp;&quot;c&quot;&apos;" classname="k"><failure message="line1&#10;line2 &#x1F600;">x &#233; &#x263A; &lt;tag&gt;</failure><system-out><![CDATA[raw <cdata> & stuff]]></system-out></testcase></testsuite>)");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 1);
  const JUnitCase& c = parsed->front();
  CHECK(c.name == "a<b>&\"c\"'");
  CHECK(c.message == "line1\nline2 \xF0\x9F\x98\x80");
  CHECK(c.details == "x \xC3\xA9 \xE2\x98\xBA <tag>");
  CHECK(c.system_out == "raw <cdata> & stuff");
}

TEST_CASE("report::parse_junit treats missing or invalid times as 0") {
  const auto parsed = parse_junit(R"(<testsuite name="t">
<testcase name="missing"/><testcase name="junk" time="fast"/><testcase name="negative" time="-3"/>
<testcase name="nan" time="nan"/><testcase name="grouped" time="1,234.5"/><testcase name="trailing" time="2.5s"/>
</testsuite>)");
  REQUIRE(parsed.ok());
  const auto cases = by_name(*parsed);
  REQUIRE(cases.size() == 6);
  CHECK(cases.at("missing").time_secs == 0.0);
  CHECK(cases.at("junk").time_secs == 0.0);
  CHECK(cases.at("negative").time_secs == 0.0);
  CHECK(cases.at("nan").time_secs == 0.0);
  CHECK(cases.at("grouped").time_secs == doctest::Approx(1234.5));
  CHECK(cases.at("trailing").time_secs == 0.0);
}

TEST_CASE("report::parse_junit reports a failure over a skip and ignores stray elements") {
  const auto parsed = parse_junit(R"(<testsuites><testcase name="outside"/><testsuite name="t">
<testcase name="both"><skipped message="xfail"/><error message="teardown broke">tb</error></testcase>
</testsuite></testsuites>)");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 1);
  CHECK(parsed->front().name == "both");
  CHECK(parsed->front().kind == JUnitCase::Kind::Error);
  CHECK(parsed->front().message == "teardown broke");
}

TEST_CASE("report::parse_junit rejects malformed, empty and foreign input") {
  const auto malformed = parse_junit("<testsuite name=\"x\">\n<testcase name=\"a\">\n</testsuite>");
  REQUIRE_FALSE(malformed.ok());
  CHECK(malformed.error().message.rfind("not valid XML: ", 0) == 0);
  CHECK(malformed.error().message.find('\n') == std::string::npos);

  const auto truncated = parse_junit("<testsuites><testsuite name=\"x\"><testcase name=\"a\" ");
  REQUIRE_FALSE(truncated.ok());
  CHECK(truncated.error().message.rfind("not valid XML: ", 0) == 0);

  const auto empty = parse_junit("");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message == "empty result file");
  const auto blank = parse_junit(" \n\t ");
  REQUIRE_FALSE(blank.ok());
  CHECK(blank.error().message == "empty result file");

  const auto foreign = parse_junit("<html><body/></html>");
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.error().message.find("<html>") != std::string::npos);
}

TEST_CASE("report::write_junit writes every verdict and parses back") {
  TempDir dir;
  const Fixture fx;
  const auto path = dir / "junit.xml";
  const Status written = write_junit(path, fx.records, fx.groups, fx.strays, fx.info);
  REQUIRE_MESSAGE(written.ok(), written.error().message);
  CHECK(report::test::entry_count(dir.path()) == 1);

  const std::string text = report::test::read_text(path);
  CHECK(text.rfind(R"(<?xml version="1.0" encoding="UTF-8"?>)", 0) == 0);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\0') == std::string::npos);

  const auto parsed = parse_junit(text);
  REQUIRE_MESSAGE(parsed.ok(), parsed.error().message);
  const auto cases = by_name(*parsed);
  REQUIRE(cases.size() == 9);

  const JUnitCase& pass = cases.at("tests/a.py::test_pass");
  CHECK(pass.kind == JUnitCase::Kind::Passed);
  CHECK(pass.classname == "unit");
  CHECK(pass.time_secs == doctest::Approx(0.123));
  CHECK(pass.system_out == "hello\n");

  const JUnitCase& fail = cases.at("tests/a.py::test_fail");
  CHECK(fail.kind == JUnitCase::Kind::Failed);
  CHECK(fail.message == "assert 3 == 4\n\twhere 3 = f()");
  CHECK(fail.details == "trace three");
  CHECK(fail.time_secs == doctest::Approx(2.25));

  const JUnitCase& flaky = cases.at("tests/a.py::test_flaky");
  CHECK(flaky.kind == JUnitCase::Kind::Passed);
  CHECK(flaky.time_secs == doctest::Approx(0.5));
  CHECK(flaky.system_out == "passing out");
  CHECK(flaky.system_err == "passing err");

  const JUnitCase& skip = cases.at("tests/a.py::test_skip");
  CHECK(skip.kind == JUnitCase::Kind::Skipped);
  CHECK(skip.message == "no gpu");

  CHECK(cases.at("tests/a.py::test_timeout").kind == JUnitCase::Kind::Error);
  CHECK(cases.at("tests/a.py::test_timeout").message == "timed out after 60 s");
  CHECK(cases.at("tests/a.py::test_crash").kind == JUnitCase::Kind::Error);
  CHECK(cases.at("tests/a.py::test_not_run").kind == JUnitCase::Kind::Error);
  CHECK(cases.at("tests/a.py::test_not_run").message == "fail-fast stopped the run");
  CHECK(cases.at("tests/a.py::test_not_run").time_secs == 0.0);

  REQUIRE(cases.count(weird_id) == 1);
  const JUnitCase& weird = cases.at(weird_id);
  CHECK(weird.classname == "integration");
  CHECK(weird.system_out ==
        "\xEF\xBF\xBD[31mred\xEF\xBF\xBD[0m nul:\xEF\xBF\xBD| bad:\xEF\xBF\xBD| ok: \xC3\xA9");
  CHECK(weird.system_err.rfind("[... ", 0) == 0);
  CHECK(weird.system_err.find(" bytes truncated ...]\n") != std::string::npos);
  CHECK(weird.system_err.size() <= 1024 * 1024 + 64);
  CHECK(weird.system_err.size() > 1024 * 1024);
  CHECK(fx.big_err.size() - weird.system_err.substr(weird.system_err.find('\n') + 1).size() ==
        std::stoul(weird.system_err.substr(5)));
  CHECK(weird.system_err.substr(weird.system_err.size() - 7) == "THE END");

  const JUnitCase& ghost = cases.at("test_ghost");
  CHECK(ghost.kind == JUnitCase::Kind::Error);
  CHECK(ghost.classname == "tests.ghost");
  CHECK(ghost.message == "result matches no discovered test (batch 7)");
  CHECK(ghost.details.find("ghost trace") != std::string::npos);
}

TEST_CASE("report::write_junit follows the Surefire structure and counts") {
  TempDir dir;
  const Fixture fx;
  const auto path = dir / "junit.xml";
  REQUIRE(write_junit(path, fx.records, fx.groups, fx.strays, fx.info).ok());

  tinyxml2::XMLDocument doc;
  REQUIRE(doc.LoadFile(path.c_str()) == tinyxml2::XML_SUCCESS);
  const auto* root = doc.RootElement();
  REQUIRE(root != nullptr);
  CHECK(std::string(root->Name()) == "testsuites");
  CHECK(std::string(root->Attribute("name")) == "offload run");
  CHECK(root->IntAttribute("tests") == 9);
  CHECK(root->IntAttribute("failures") == 1);
  CHECK(root->IntAttribute("errors") == 4);
  CHECK(root->IntAttribute("skipped") == 1);
  CHECK(std::string(root->Attribute("time")) == "42.500");
  CHECK(std::string(root->Attribute("timestamp")) == "2024-05-01T10:11:12");

  std::vector<std::string> suite_names;
  for (auto* suite = root->FirstChildElement("testsuite"); suite != nullptr;
       suite = suite->NextSiblingElement("testsuite")) {
    suite_names.emplace_back(suite->Attribute("name"));
  }
  CHECK(suite_names == std::vector<std::string>{"unit", "integration", "empty", "unmatched results"});

  const auto* unit = root->FirstChildElement("testsuite");
  CHECK(unit->IntAttribute("tests") == 7);
  CHECK(unit->IntAttribute("failures") == 1);
  CHECK(unit->IntAttribute("errors") == 3);
  CHECK(unit->IntAttribute("skipped") == 1);
  // 0.1234 + 2.25 + 0.5 + 0 + 60 + 3 + 0
  CHECK(std::string(unit->Attribute("time")) == "65.873");
  const auto* property = unit->FirstChildElement("properties")->FirstChildElement("property");
  REQUIRE(property != nullptr);
  CHECK(std::string(property->Attribute("name")) == "hostname");
  CHECK(std::string(property->Attribute("value")) == "ci-box");

  const auto* empty = unit->NextSiblingElement("testsuite")->NextSiblingElement("testsuite");
  CHECK(empty->IntAttribute("tests") == 0);
  CHECK(empty->FirstChildElement("testcase") == nullptr);

  const std::regex surefire_time(R"([0-9]+\.[0-9]{3})");
  for (auto* suite = root->FirstChildElement("testsuite"); suite != nullptr;
       suite = suite->NextSiblingElement("testsuite")) {
    CHECK(std::regex_match(std::string(suite->Attribute("time")), surefire_time));
    for (auto* tc = suite->FirstChildElement("testcase"); tc != nullptr;
         tc = tc->NextSiblingElement("testcase")) {
      CHECK(std::regex_match(std::string(tc->Attribute("time")), surefire_time));
    }
  }

  const auto* pass = find_case(root, "tests/a.py::test_pass");
  REQUIRE(pass != nullptr);
  CHECK(child_names(pass) == std::vector<std::string>{"system-out"});

  const auto* fail = find_case(root, "tests/a.py::test_fail");
  REQUIRE(fail != nullptr);
  CHECK(child_names(fail) == std::vector<std::string>{"failure", "rerunFailure", "rerunError"});
  CHECK(std::string(fail->FirstChildElement("failure")->Attribute("type")) == "failure");
  const auto* rerun = fail->FirstChildElement("rerunFailure");
  CHECK(std::string(rerun->Attribute("type")) == "failure");
  CHECK(std::string(rerun->Attribute("message")) == "assert 1 == 2");
  CHECK(child_names(rerun) == std::vector<std::string>{"stackTrace", "system-out"});
  CHECK(std::string(rerun->FirstChildElement("stackTrace")->GetText()) == "trace one");
  const auto* rerun_error = fail->FirstChildElement("rerunError");
  CHECK(std::string(rerun_error->Attribute("type")) == "timeout");
  CHECK(child_names(rerun_error) == std::vector<std::string>{"stackTrace"});

  const auto* flaky = find_case(root, "tests/a.py::test_flaky");
  REQUIRE(flaky != nullptr);
  CHECK(child_names(flaky) ==
        std::vector<std::string>{"flakyFailure", "system-out", "system-err"});
  CHECK(std::string(flaky->FirstChildElement("flakyFailure")->Attribute("message")) == "flaked");

  const auto* skip = find_case(root, "tests/a.py::test_skip");
  CHECK(child_names(skip) == std::vector<std::string>{"skipped"});

  const auto* timeout = find_case(root, "tests/a.py::test_timeout");
  CHECK(child_names(timeout) == std::vector<std::string>{"error"});
  CHECK(std::string(timeout->FirstChildElement("error")->Attribute("type")) == "timeout");
  CHECK(std::string(find_case(root, "tests/a.py::test_crash")->FirstChildElement("error")->Attribute(
            "type")) == "crash");
  const auto* not_run = find_case(root, "tests/a.py::test_not_run")->FirstChildElement("error");
  CHECK(std::string(not_run->Attribute("type")) == "not-run");
  CHECK(std::string(not_run->Attribute("message")) == "fail-fast stopped the run");

  const auto* ghost = find_case(root, "test_ghost")->FirstChildElement("error");
  CHECK(std::string(ghost->Attribute("type")) == "unmatched");
}

TEST_CASE("report::write_junit output is well-formed and every testsuite validates against the Surefire XSD") {
  require_xmllint();
  const auto xsd = surefire_xsd();
  REQUIRE_MESSAGE(std::filesystem::exists(xsd), "schema not found: " << xsd);

  TempDir dir;
  Fixture fx;
  // A Failed test whose last attempt is an error puts <error> between the
  // rerunFailure and rerunError elements.
  fx.records.push_back(record("tests/a.py::test_mixed", 0, Verdict::Failed,
                              {attempt(AttemptResult::Failed, 1.0, "f"),
                               attempt(AttemptResult::Crashed, 1.0, "c"),
                               attempt(AttemptResult::Infrastructure, 1.0, "sandbox lost")}));
  fx.records.push_back(record("tests/a.py::test_flaky_errors", 0, Verdict::Flaky,
                              {attempt(AttemptResult::TimedOut, 9.0, "slow"),
                               attempt(AttemptResult::Failed, 1.0, "wrong"),
                               attempt(AttemptResult::Passed, 1.0)}));
  // A set-up error named as the framework names it.
  TestRecord setup = record("tests/a.py::T::test_setup", 0, Verdict::Failed, {attempt(AttemptResult::Failed, 1.0, "e")});
  setup.attempts[0].error = true;
  setup.test.classname = "tests.a.T";
  setup.test.name = "test_setup";
  fx.records.push_back(setup);
  const auto path = dir / "junit.xml";
  REQUIRE(write_junit(path, fx.records, fx.groups, fx.strays, fx.info).ok());

  const auto wellformed = run_xmllint("--noout '" + path.string() + "'");
  CHECK_MESSAGE(wellformed.status == 0, wellformed.output);

  tinyxml2::XMLDocument doc;
  REQUIRE(doc.LoadFile(path.c_str()) == tinyxml2::XML_SUCCESS);
  const auto* mixed = find_case(doc.RootElement(), "tests/a.py::test_mixed");
  CHECK(child_names(mixed) == std::vector<std::string>{"rerunFailure", "error", "rerunError"});
  CHECK(std::string(mixed->FirstChildElement("error")->Attribute("type")) == "infrastructure");
  const auto* flaky = find_case(doc.RootElement(), "tests/a.py::test_flaky_errors");
  CHECK(child_names(flaky) == std::vector<std::string>{"flakyFailure", "flakyError"});

  int validated = 0;
  for (auto* suite = doc.RootElement()->FirstChildElement("testsuite"); suite != nullptr;
       suite = suite->NextSiblingElement("testsuite")) {
    tinyxml2::XMLPrinter printer;
    printer.PushDeclaration(R"(xml version="1.0" encoding="UTF-8")");
    suite->Accept(&printer);
    const auto suite_file = dir / ("suite-" + std::to_string(validated) + ".xml");
    report::test::write_text(suite_file, printer.CStr());
    const auto valid = run_xmllint("--noout --schema '" + xsd.string() + "' '" + suite_file.string() + "'");
    CHECK_MESSAGE(valid.status == 0, "suite " << suite->Attribute("name") << ": " << valid.output);
    ++validated;
  }
  CHECK(validated == 4);
}

TEST_CASE("report::write_junit fails cleanly when the report cannot be written") {
  TempDir dir;
  const Fixture fx;

  const auto missing_dir = dir / "no-such-dir";
  const Status missing = write_junit(missing_dir / "junit.xml", fx.records, fx.groups, fx.strays, fx.info);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find((missing_dir / "junit.xml").string()) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(missing_dir));
  CHECK(report::test::entry_count(dir.path()) == 0);

  // The temporary file gets written, then the rename onto a directory fails.
  const auto occupied = dir / "junit.xml";
  std::filesystem::create_directory(occupied);
  const Status blocked = write_junit(occupied, fx.records, fx.groups, fx.strays, fx.info);
  REQUIRE_FALSE(blocked.ok());
  CHECK(blocked.error().message.find(occupied.string()) != std::string::npos);
  CHECK(report::test::entry_count(dir.path()) == 1);
  CHECK(std::filesystem::is_directory(occupied));
}

TEST_CASE("report::write_junit replaces an existing report") {
  TempDir dir;
  const auto path = dir / "junit.xml";
  report::test::write_text(path, "old contents");
  const std::vector<TestRecord> records{
      record("t1", 0, Verdict::Passed, {attempt(AttemptResult::Passed, 1.0)})};
  REQUIRE(write_junit(path, records, {"g"}, {}, RunInfo{}).ok());
  const auto parsed = parse_junit(report::test::read_text(path));
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 1);
  CHECK(parsed->front().name == "t1");
  CHECK(report::test::entry_count(dir.path()) == 1);
}

TEST_CASE("report::read_durations reads back the times write_junit wrote") {
  TempDir dir;
  const Fixture fx;
  const auto path = dir / "junit.xml";
  REQUIRE(write_junit(path, fx.records, fx.groups, fx.strays, fx.info).ok());

  const auto durations = read_durations(path);
  CHECK(durations.size() == 8);
  CHECK(durations.at("tests/a.py::test_fail") == doctest::Approx(2.25));
  CHECK(durations.at("tests/a.py::test_flaky") == doctest::Approx(0.5));
  CHECK(durations.at("tests/a.py::test_timeout") == doctest::Approx(60.0));
  CHECK(durations.at(weird_id) == doctest::Approx(1.5));
  CHECK(durations.count("test_ghost") == 0);
}

TEST_CASE("report::read_durations keeps the longest time of a repeated name") {
  TempDir dir;
  const auto path = dir / "junit.xml";
  report::test::write_text(path, R"(<testsuites>
<testsuite name="a"><testcase name="t" time="1.000"/><testcase name="u" time="bad"/></testsuite>
<testsuite name="b"><testcase name="t" time="4.500"/><testcase name="t" time="2.000"/></testsuite>
<testsuite name="unmatched results"><testcase name="t" time="99.000"/></testsuite>
</testsuites>)");
  const auto durations = read_durations(path);
  CHECK(durations.size() == 1);
  CHECK(durations.at("t") == doctest::Approx(4.5));
}

TEST_CASE("report::read_durations gives an empty map for a missing or broken file") {
  TempDir dir;
  CHECK(read_durations(dir / "absent.xml").empty());
  report::test::write_text(dir / "broken.xml", "<testsuites><testsuite name=\"a\"><testcase name=\"t\" time=\"1\"/>");
  CHECK(read_durations(dir / "broken.xml").empty());
  report::test::write_text(dir / "empty.xml", "");
  CHECK(read_durations(dir / "empty.xml").empty());
}

TEST_CASE("report::to_string names attempt results and verdicts") {
  CHECK(std::string(to_string(AttemptResult::Passed)) == "passed");
  CHECK(std::string(to_string(AttemptResult::TimedOut)) == "timed out");
  CHECK(std::string(to_string(AttemptResult::Infrastructure)) == "infrastructure error");
  CHECK(std::string(to_string(Verdict::Flaky)) == "flaky");
  CHECK(std::string(to_string(Verdict::NotRun)) == "not run");
}

TEST_CASE("report::write_junit names testcases as the framework does and keeps <error> for set-up errors") {
  TempDir dir;
  TestRecord named = record("tests/a.py::T::test_x[1]", 1, Verdict::Failed, {attempt(AttemptResult::Failed, 1.0, "e")});
  named.attempts[0].error = true;
  named.test.classname = "tests.a.T";
  named.test.name = "test_x[1]";
  TestRecord plain = record("plain id", 0, Verdict::Passed, {attempt(AttemptResult::Passed, 1.0)});
  const auto path = dir / "junit.xml";
  REQUIRE(write_junit(path, {named, plain}, {"unit", "slow"}, {}, {}).ok());
  tinyxml2::XMLDocument doc;
  REQUIRE(doc.LoadFile(path.c_str()) == tinyxml2::XML_SUCCESS);
  const auto* x = find_case(doc.RootElement(), "test_x[1]");
  REQUIRE(x != nullptr);
  CHECK(std::string(x->Attribute("classname")) == "tests.a.T");
  CHECK(std::string(x->Attribute("group")) == "slow");
  CHECK(child_names(x) == std::vector<std::string>{"error"});
  CHECK(std::string(x->FirstChildElement("error")->Attribute("type")) == "error");
  CHECK(std::string(x->Parent()->ToElement()->Attribute("errors")) == "1");
  const auto* p = find_case(doc.RootElement(), "plain id");
  REQUIRE(p != nullptr);
  CHECK(std::string(p->Attribute("classname")) == "unit");
}

TEST_SUITE_END();
