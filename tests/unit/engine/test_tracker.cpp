// SPDX-License-Identifier: MIT
#include "engine/tracker.hpp"

#include <doctest/doctest.h>

using namespace offload;
using namespace offload::engine;

namespace {

Tracker make(std::size_t n, std::size_t attempts, bool upfront = false) {
  std::vector<TestCase> tests;
  for (std::size_t i = 0; i < n; ++i) {
    tests.push_back(TestCase{"t" + std::to_string(i), 0, std::nullopt});
  }
  return Tracker(tests, std::vector<std::size_t>(n, attempts), upfront);
}

Attempt with(AttemptResult r, std::string message = "") {
  Attempt a;
  a.result = r;
  a.message = std::move(message);
  return a;
}

} // namespace

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::Tracker pass, flaky, failed") {
  Tracker t = make(3, 3);
  CHECK(t.record(0, with(AttemptResult::Passed)) == NextStep::Settled);
  CHECK(t.record_of(0).verdict == Verdict::Passed);

  CHECK(t.record(1, with(AttemptResult::Failed)) == NextStep::Retry);
  CHECK(t.record(1, with(AttemptResult::Passed)) == NextStep::Settled);
  CHECK(t.record_of(1).verdict == Verdict::Flaky);
  CHECK(t.record_of(1).attempts.size() == 2);

  CHECK(t.record(2, with(AttemptResult::Failed)) == NextStep::Retry);
  CHECK(t.record(2, with(AttemptResult::TimedOut)) == NextStep::Retry);
  CHECK(t.record(2, with(AttemptResult::Crashed)) == NextStep::Settled);
  CHECK(t.record_of(2).verdict == Verdict::Failed);
  CHECK(t.all_settled());
  CHECK(t.counts().passed == 1);
  CHECK(t.counts().flaky == 1);
  CHECK(t.counts().failed == 1);
}

TEST_CASE("engine::Tracker sandbox failures do not use up retries, but are bounded") {
  Tracker t = make(2, 1);
  for (int i = 0; i < 3; ++i) {
    CHECK(t.infrastructure(0, with(AttemptResult::Infrastructure, "exec failed")) == NextStep::Retry);
  }
  CHECK(t.infrastructure(0, with(AttemptResult::Infrastructure, "exec failed")) == NextStep::Settled);
  CHECK(t.record_of(0).verdict == Verdict::NotRun);
  CHECK(t.record_of(0).not_run_reason.find("exec failed") != std::string::npos);

  CHECK(t.infrastructure(1, with(AttemptResult::Infrastructure, "x")) == NextStep::Retry);
  CHECK(t.record(1, with(AttemptResult::Passed)) == NextStep::Settled);
  CHECK(t.record_of(1).verdict == Verdict::Passed);
}

TEST_CASE("engine::Tracker never turns a real failure into not run, and settles everything at the end") {
  Tracker t = make(3, 2);
  CHECK(t.record(0, with(AttemptResult::Failed)) == NextStep::Retry);
  t.not_run(0, "interrupted");
  CHECK(t.record_of(0).verdict == Verdict::Failed);
  CHECK(t.record(1, with(AttemptResult::Skipped)) == NextStep::Settled);
  auto records = t.finish("never ran");
  CHECK(records[1].verdict == Verdict::Skipped);
  CHECK(records[2].verdict == Verdict::NotRun);
  CHECK(records[2].not_run_reason == "never ran");
}

TEST_CASE("engine::Tracker upfront mode waits for every instance") {
  Tracker t = make(2, 3, true);
  CHECK(t.record(0, with(AttemptResult::Failed)) == NextStep::Wait);
  CHECK(t.record(0, with(AttemptResult::Passed)) == NextStep::Settled);
  CHECK(t.record_of(0).verdict == Verdict::Flaky);
  CHECK(t.record(1, with(AttemptResult::Failed)) == NextStep::Wait);
  CHECK(t.record(1, with(AttemptResult::Failed)) == NextStep::Wait);
  CHECK(t.record(1, with(AttemptResult::Failed)) == NextStep::Settled);
  CHECK(t.record_of(1).verdict == Verdict::Failed);
}

TEST_CASE("engine::Tracker attempts after the verdict change nothing") {
  Tracker t = make(1, 2);
  CHECK(t.record(0, with(AttemptResult::Passed)) == NextStep::Settled);
  CHECK(t.record(0, with(AttemptResult::Failed)) == NextStep::Settled);
  CHECK(t.record_of(0).verdict == Verdict::Passed);
}

TEST_CASE("engine::Tracker takes late tests and forgets withdrawn ones") {
  Tracker t = make(3, 2);
  CHECK(t.record(0, with(AttemptResult::Passed)) == NextStep::Settled);
  t.withdraw(0); // passed, then discovery no longer listed it
  t.withdraw(1);
  CHECK(t.counts().passed == 0);
  CHECK(t.settled(1));
  CHECK(t.record(1, with(AttemptResult::Failed)) == NextStep::Settled); // its results change nothing
  CHECK(t.counts().failed == 0);
  CHECK_FALSE(t.all_settled());
  t.add(TestCase{"late", 0, std::nullopt}, 2);
  REQUIRE(t.size() == 4);
  CHECK(t.record(3, with(AttemptResult::Failed)) == NextStep::Retry);
  CHECK(t.record(3, with(AttemptResult::Passed)) == NextStep::Settled);
  CHECK(t.record_of(3).verdict == Verdict::Flaky);
  CHECK(t.record(2, with(AttemptResult::Passed)) == NextStep::Settled);
  CHECK(t.all_settled());
  CHECK(t.counts().settled() == 2);
}

TEST_SUITE_END();
