// SPDX-License-Identifier: MIT
#include "engine/pipeline.hpp"
#include "run_loop_fixture.hpp"

using namespace offload;
using namespace offload::engine;
using namespace offload::engine::testing;

namespace {

void use_workers(Fixture& f) {
  f.in.workers = true;
  f.in.per_test_timeout_secs = 5.0;
}

} // namespace

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::RunLoop with workers feeds each test once and ends every worker") {
  Fixture f(plain(30));
  use_workers(f);
  const auto out = f.run();
  REQUIRE(out.records.size() == 30);
  for (const auto& r : out.records) {
    CHECK(r.verdict == Verdict::Passed);
  }
  CHECK(f.exec.fed.size() == 30);
  CHECK(f.exec.worker_starts == 2);
  CHECK(f.exec.started.empty()); // no batch command ever ran
  check_every_sandbox_closed(f);
  CHECK(overall(out) == RunVerdict::Passed);
}

TEST_CASE("engine::RunLoop with workers balances test by test: a long test does not hold up the rest") {
  auto tests = plain(20, 0.5);
  tests["t100"].secs = 10.0;
  Fixture f(tests, 0, 2);
  use_workers(f);
  for (const auto& [id, t] : f.suite) {
    f.history.add(id, t.secs);
  }
  const auto out = f.run();
  // 10 s + 19 × 0.5 s on two workers: the long one first, the rest on the other.
  CHECK(out.wall_secs < 11.0);
}

TEST_CASE("engine::RunLoop with workers retries a failure and calls a later pass flaky") {
  auto tests = plain(4);
  tests["t101"].outcomes = {AttemptResult::Failed, AttemptResult::Passed};
  Fixture f(tests, 1);
  use_workers(f);
  const auto out = f.run();
  CHECK(Fixture::find(out, "t101").verdict == Verdict::Flaky);
  CHECK(f.exec.runs("t101") == 2);
}

TEST_CASE("engine::RunLoop with workers times out a hanging test alone; the rest of its queue still runs") {
  auto tests = plain(10);
  tests["t103"].hangs = true;
  Fixture f(tests, 0, 1);
  use_workers(f);
  const auto out = f.run();
  const auto& hung = Fixture::find(out, "t103");
  CHECK(hung.verdict == Verdict::Failed);
  REQUIRE(hung.attempts.size() == 1);
  CHECK(hung.attempts[0].result == AttemptResult::TimedOut);
  CHECK(hung.attempts[0].message.find("per_test_timeout_secs") != std::string::npos);
  for (const auto& r : out.records) {
    if (r.test.id != "t103") {
      CHECK(r.verdict == Verdict::Passed);
    }
  }
  CHECK(f.exec.workers_killed == 1);
  CHECK(f.exec.worker_starts == 2); // it came back for the rest
  check_every_sandbox_closed(f);
}

TEST_CASE("engine::RunLoop with workers: what a worker reports while it is killed does not count") {
  auto tests = plain(4);
  tests["t101"].hangs = true;
  tests["t101"].passes_when_killed = true; // it caught the interrupt
  Fixture f(tests, 0, 1);
  use_workers(f);
  const auto out = f.run();
  const auto& hung = Fixture::find(out, "t101");
  CHECK(hung.verdict == Verdict::Failed);
  REQUIRE(hung.attempts.size() == 1);
  CHECK(hung.attempts[0].result == AttemptResult::TimedOut);
  CHECK(f.exec.workers_killed == 1);
  check_every_sandbox_closed(f);
}

TEST_CASE("engine::RunLoop with workers: a test that kills its worker reruns alone, then is crashed") {
  auto tests = plain(8);
  tests["t102"].crashes = true;
  Fixture f(tests, 0, 1);
  use_workers(f);
  const auto out = f.run();
  const auto& crashed = Fixture::find(out, "t102");
  CHECK(crashed.verdict == Verdict::Failed);
  REQUIRE(!crashed.attempts.empty());
  CHECK(crashed.attempts.back().result == AttemptResult::Crashed);
  CHECK(crashed.attempts.back().message.find("alone") != std::string::npos);
  CHECK(f.exec.runs("t102") == 2);
  for (const auto& r : out.records) {
    if (r.test.id != "t102") {
      CHECK(r.verdict == Verdict::Passed);
    }
  }
  check_every_sandbox_closed(f);
}

TEST_CASE("engine::RunLoop with workers: a suspect another sandbox takes ends that sandbox's worker first") {
  // The other worker has one test left when the suspect is queued: it must
  // be told that nothing follows, or it waits for a next test for ever.
  for (std::size_t size : {2u, 3u, 6u, 9u}) {
    auto tests = plain(size * 2);
    tests["t101"].crashes = true;
    Fixture f(tests, 0, 2);
    use_workers(f);
    const auto out = f.run();
    CHECK(Fixture::find(out, "t101").attempts.back().result == AttemptResult::Crashed);
    CHECK(f.exec.runs("t101") == 2);
    for (const auto& r : out.records) {
      if (r.test.id != "t101") {
        CHECK(r.verdict == Verdict::Passed);
      }
    }
    check_every_sandbox_closed(f);
  }
}

TEST_CASE("engine::RunLoop with workers: an ID the worker does not know is not run, with the reason") {
  auto tests = plain(3);
  tests["t100"].unreported = true;
  Fixture f(tests);
  use_workers(f);
  const auto out = f.run();
  const auto& r = Fixture::find(out, "t100");
  CHECK(r.verdict == Verdict::NotRun);
  CHECK(r.not_run_reason.find("not_found") != std::string::npos);
}

TEST_CASE("engine::RunLoop with workers restarts a worker that fails to start, and gives a sandbox up after three") {
  SUBCASE("two failures, then it works") {
    Fixture f(plain(5), 0, 1);
  use_workers(f);
    f.exec.fail_worker_starts(2);
    const auto out = f.run();
    for (const auto& r : out.records) {
      CHECK(r.verdict == Verdict::Passed);
    }
    CHECK(f.exec.worker_starts == 3);
  }
  SUBCASE("it never works: every test is not run, with the worker's reason") {
    Fixture f(plain(5), 0, 1);
  use_workers(f);
    f.exec.fail_worker_starts(100);
    const auto out = f.run();
    for (const auto& r : out.records) {
      CHECK(r.verdict == Verdict::NotRun);
      CHECK(r.not_run_reason.find("exec failed") != std::string::npos);
    }
    CHECK(f.exec.worker_starts == 3);
  }
}

TEST_CASE("engine::RunLoop with workers kills a worker that is given tests and says nothing; they run elsewhere") {
  SUBCASE("once: the tests go back to the queue and pass") {
    Fixture f(plain(6), 0, 1);
    use_workers(f);
    f.exec.silence_workers(1);
    const auto out = f.run();
    for (const auto& r : out.records) {
      CHECK(r.verdict == Verdict::Passed);
      // What the stuck worker held shows as an infrastructure attempt, as a failed exec's batch does.
      if (r.attempts.size() > 1) {
        CHECK(r.attempts.front().result == AttemptResult::Infrastructure);
        CHECK(r.attempts.front().message.find("said nothing") != std::string::npos);
      }
    }
    CHECK(f.exec.workers_killed == 1);
    CHECK(f.exec.worker_starts == 2);
  }
  SUBCASE("always: the sandbox is given up after three, with the reason") {
    Fixture f(plain(4), 0, 1);
    use_workers(f);
    f.exec.silence_workers(100);
    const auto out = f.run();
    for (const auto& r : out.records) {
      CHECK(r.verdict == Verdict::NotRun);
      CHECK(r.not_run_reason.find("said nothing") != std::string::npos);
    }
    CHECK(f.exec.worker_starts == 3);
  }
}

TEST_CASE("engine::RunLoop with workers on Ctrl-C kills the workers and reports the rest interrupted") {
  Fixture f(plain(40, 1.0), 0, 2);
  use_workers(f);
  f.exec.interrupt_at(3.0);
  const auto out = f.run();
  CHECK(out.interrupted);
  CHECK(f.exec.workers_killed == 2);
  CHECK(out.wall_secs < 5.0);
  check_every_sandbox_closed(f);
}

TEST_CASE("engine::RunLoop with workers started early waits for discovery before judging") {
  auto tests = plain(3);
  tests["t900"] = FakeTest{0.1};
  Fixture f(tests, 0, 2);
  use_workers(f);
  f.in.tests = {TestCase{"t100", 0, {}}, TestCase{"t101", 0, {}}, TestCase{"t102", 0, {}}};
  f.in.pending = true;
  f.exec.discovery_at(1.0, std::vector<TestCase>{TestCase{"t100", 0, {}}, TestCase{"t900", 0, {}}});
  const auto out = f.run();
  REQUIRE(out.records.size() == 2);
  CHECK(out.records[0].test.id == "t100");
  CHECK(out.records[0].verdict == Verdict::Passed);
  CHECK(out.records[1].test.id == "t900");
  CHECK(out.records[1].verdict == Verdict::Passed);
  CHECK(out.withdrawn == 2);
}

TEST_SUITE_END();
