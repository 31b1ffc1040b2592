// SPDX-License-Identifier: MIT
// What the run loop tells its observer test by test: what each sandbox runs
// and each judged attempt, in batch mode and with persistent workers alike.
#include "run_loop_fixture.hpp"

using namespace offload;
using namespace offload::engine;
using namespace offload::engine::testing;

namespace {

void check_told(const Fixture& f, const RunOutcome& out) {
  const auto& ended = f.observer.ended;
  for (const auto& r : out.records) {
    CHECK(f.observer.ran.count(r.test.id) == 1);
    const auto settled = std::count_if(ended.begin(), ended.end(),
                                       [&](const auto& e) { return e.id == r.test.id && e.settled; });
    CHECK_MESSAGE(settled == 1, r.test.id);
  }
  // Nothing is left running once the run is over.
  for (const auto& tests : f.observer.running) {
    CHECK(tests.empty());
  }
}

std::map<std::string, FakeTest> mixed() {
  auto tests = plain(8);
  tests["t101"].outcomes = {AttemptResult::Failed, AttemptResult::Passed};
  tests["t102"].outcomes = {AttemptResult::Failed};
  tests["t103"].outcomes = {AttemptResult::Skipped};
  return tests;
}

void check_mixed(const Fixture& f) {
  std::vector<std::pair<bool, Verdict>> flaky, failed, skipped;
  for (const auto& e : f.observer.ended) {
    auto* into = e.id == "t101" ? &flaky : e.id == "t102" ? &failed : e.id == "t103" ? &skipped : nullptr;
    if (into != nullptr) {
      into->emplace_back(e.settled, e.verdict);
    }
  }
  using P = std::pair<bool, Verdict>;
  CHECK(flaky == std::vector<P>{{false, Verdict::NotRun}, {true, Verdict::Flaky}});
  CHECK(failed == std::vector<P>{{false, Verdict::NotRun}, {false, Verdict::NotRun}, {true, Verdict::Failed}});
  CHECK(skipped == std::vector<P>{{true, Verdict::Skipped}});
}

} // namespace

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::RunLoop tells the observer each batch's tests and each judged attempt") {
  Fixture f(mixed(), 2);
  const auto out = f.run();
  check_told(f, out);
  check_mixed(f);
}

TEST_CASE("engine::RunLoop with workers tells the observer each test as it starts and as it is judged") {
  Fixture f(mixed(), 2);
  f.in.workers = true;
  const auto out = f.run();
  check_told(f, out);
  check_mixed(f);
  CHECK(f.exec.started.empty());
}

TEST_CASE("engine::RunLoop tells the observer a test settled as not run without an attempt") {
  auto tests = plain(3);
  tests["t100"].unreported = true;
  Fixture f(tests);
  f.in.workers = true;
  const auto out = f.run();
  check_told(f, out);
  const auto it = std::find_if(f.observer.ended.begin(), f.observer.ended.end(),
                               [](const auto& e) { return e.id == "t100"; });
  REQUIRE(it != f.observer.ended.end());
  CHECK(it->verdict == Verdict::NotRun);
  CHECK(it->result == AttemptResult::Cancelled); // the fixture's mark for "no attempt"
}
