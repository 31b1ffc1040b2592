// SPDX-License-Identifier: MIT
#include "report/console_text.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace offload;
using namespace offload::report;

namespace {

Attempt attempt(AttemptResult result, double secs, std::string message = "") {
  Attempt a;
  a.result = result;
  a.duration_secs = secs;
  a.message = std::move(message);
  return a;
}

TestRecord record(std::string id, std::vector<Attempt> attempts, Verdict v) {
  TestRecord r;
  r.test.id = std::move(id);
  r.attempts = std::move(attempts);
  r.verdict = v;
  return r;
}

std::string line_of(const TestRecord& r, bool settled, std::size_t sandbox = 1) {
  return verdict_line({sandbox, r, r.attempts.empty() ? nullptr : &r.attempts.back(), settled});
}

} // namespace

TEST_SUITE_BEGIN("report");

TEST_CASE("report::verdict_line names the verdict, the test, its duration and sandbox") {
  const auto passed = record("tests/a.py::test_x", {attempt(AttemptResult::Passed, 0.123)}, Verdict::Passed);
  CHECK(line_of(passed, true, 3) == "PASSED  tests/a.py::test_x  0.12s  sandbox 3");
  const auto skipped = record("t", {attempt(AttemptResult::Skipped, 0.0, "needs a GPU\nmore")}, Verdict::Skipped);
  CHECK(line_of(skipped, true) == "SKIPPED t  0.00s  sandbox 1  (needs a GPU)");
}

TEST_CASE("report::verdict_line marks retries, flaky passes and the attempt that failed for good") {
  auto r = record("t", {attempt(AttemptResult::Failed, 1.5)}, Verdict::NotRun);
  CHECK(line_of(r, false) == "RETRY   t  1.50s  sandbox 1  (attempt 1 failed, runs again)");
  // A sandbox failure in between is not an attempt at the test.
  r.attempts.push_back(attempt(AttemptResult::Infrastructure, 0.0));
  r.attempts.push_back(attempt(AttemptResult::TimedOut, 60.0));
  CHECK(line_of(r, false) == "RETRY   t  60.00s  sandbox 1  (attempt 2 timed out, runs again)");
  r.attempts.push_back(attempt(AttemptResult::Passed, 0.5));
  r.verdict = Verdict::Flaky;
  CHECK(line_of(r, true, 0) == "FLAKY   t  0.50s  sandbox 0  (passed on attempt 3)");
  const auto failed = record("t", {attempt(AttemptResult::Failed, 0.1), attempt(AttemptResult::Crashed, 0.2)},
                             Verdict::Failed);
  CHECK(line_of(failed, true) == "FAILED  t  0.20s  sandbox 1  (crashed, attempt 2)");
  const auto once = record("t", {attempt(AttemptResult::Failed, 0.1)}, Verdict::Failed);
  CHECK(line_of(once, true) == "FAILED  t  0.10s  sandbox 1");
}

TEST_CASE("report::verdict_line: not run without an attempt gives the reason; a cancelled copy says nothing") {
  auto r = record("t", {}, Verdict::NotRun);
  r.not_run_reason = "the worker has no test with this ID";
  CHECK(line_of(r, true, 2) == "NOT RUN t  sandbox 2  (the worker has no test with this ID)");
  const auto cancelled = record("t", {attempt(AttemptResult::Cancelled, 0.1)}, Verdict::NotRun);
  CHECK(line_of(cancelled, false).empty());
}

TEST_CASE("report::verdict_line escapes control characters in test IDs and reasons") {
  const auto r = record("t\x1b[2J\r\x01", {attempt(AttemptResult::Skipped, 0.0, "why\x1b]0;x\x07")}, Verdict::Skipped);
  const std::string line = line_of(r, true);
  CHECK(line == "SKIPPED t\\x1b[2J\\x0d\\x01  0.00s  sandbox 1  (why\\x1b]0;x\\x07)");
  CHECK(line.find('\x1b') == std::string::npos);
}

TEST_CASE("report::clock_text: tenths under ten seconds, then seconds, minutes, hours") {
  CHECK(clock_text(0.0) == "0.0s");
  CHECK(clock_text(0.44) == "0.4s");
  CHECK(clock_text(12.4) == "12s");
  CHECK(clock_text(65.0) == "1m05s");
  CHECK(clock_text(7380.0) == "2h03m");
  CHECK(clock_text(-1.0) == "0.0s");
}

TEST_CASE("report::columns_of counts wide characters twice and combining marks not at all") {
  CHECK(columns_of("abc") == 3);
  CHECK(columns_of("\xC3\xBC") == 1);             // ü
  CHECK(columns_of("\xE6\x97\xA5\xE6\x9C\xAC") == 4); // 日本
  CHECK(columns_of("e\xCC\x81") == 1);            // e + combining acute
  CHECK(columns_of("\xF0\x9F\x98\x80") == 2);      // 😀
}

TEST_CASE("report::fit_tail keeps the end of what does not fit, never splitting a character") {
  CHECK(fit_tail("short", 10) == "short");
  CHECK(fit_tail("tests/test_a.py::test_name", 12) == "...test_name");
  CHECK(fit_tail("ab\xE6\x97\xA5\xE6\x9C\xAC", 6) == "ab\xE6\x97\xA5\xE6\x9C\xAC");
  // A wide one that would not fit whole is dropped.
  CHECK(fit_tail("ab\xE6\x97\xA5\xE6\x9C\xAC", 5) == "...\xE6\x9C\xAC");
  CHECK(fit_tail("ab\xE6\x97\xA5\xE6\x9C\xAC", 4) == "...");
  CHECK(fit_tail("x\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC", 5) == "...\xC3\xBC\xC3\xBC");
  CHECK(fit_tail("abcdef", 2) == "..");
}

TEST_CASE("report::status_line shows progress, elapsed time and the running test within the width") {
  StatusView v;
  v.total = 40;
  v.counts.passed = 10;
  v.counts.failed = 2;
  v.elapsed_secs = 65.0;
  v.running = "tests/test_slow.py::test_takes_a_while";
  v.running_secs = 12.0;
  const std::string wide = status_line(v, 200);
  CHECK(wide == "[" + std::string(9, '#') + std::string(21, '-') +
                    "] 12/40 in 1m05s  passed 10, failed 2  | tests/test_slow.py::test_takes_a_while 12s");
  const std::string narrow = status_line(v, 80);
  CHECK(narrow == "[" + std::string(5, '#') + std::string(14, '-') +
                      "] 12/40 in 1m05s  passed 10, failed 2  | ...kes_a_while 12s");
  CHECK(narrow.size() == 79);
  // A batch: its first test and how many more it runs.
  v.running_batch = 8;
  CHECK(status_line(v, 200).find("test_takes_a_while +7 12s") != std::string::npos);
  // No room for the ID: left out, and the rest cut to the width.
  const std::string tiny = status_line(v, 40);
  CHECK(tiny.size() == 39);
  CHECK(tiny.find("test_takes") == std::string::npos);
  v.running.clear();
  CHECK(status_line(v, 200).find('|') == std::string::npos);
}
