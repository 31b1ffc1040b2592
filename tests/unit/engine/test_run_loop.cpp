// SPDX-License-Identifier: MIT
#include "engine/pipeline.hpp"
#include "run_loop_fixture.hpp"

using namespace offload;
using namespace offload::engine;
using namespace offload::engine::testing;

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::RunLoop runs every test once and closes every sandbox") {
  Fixture f(plain(20));
  const auto out = f.run();
  REQUIRE(out.records.size() == 20);
  for (const auto& r : out.records) {
    CHECK(r.verdict == Verdict::Passed);
    CHECK(f.exec.runs(r.test.id) >= 1);
  }
  CHECK(f.exec.opened() == 2);
  check_every_sandbox_closed(f);
  CHECK(f.observer.finished);
  CHECK(overall(out) == RunVerdict::Passed);
}

TEST_CASE("engine::RunLoop retries a failure on another sandbox and calls a later pass flaky") {
  auto tests = plain(6);
  tests["t100"].outcomes = {AttemptResult::Failed, AttemptResult::Passed};
  tests["t100"].secs = 1.0; // the other sandbox is idle by the time it fails
  tests["t101"].outcomes = {AttemptResult::Failed};
  tests["t101"].secs = 0.01; // its retries are over before t100 fails
  Fixture f(tests, 2);
  for (const auto& [id, t] : f.suite) {
    f.history.add(id, t.secs);
  }
  const auto out = f.run();
  const auto& flaky = Fixture::find(out, "t100");
  CHECK(flaky.verdict == Verdict::Flaky);
  REQUIRE(flaky.attempts.size() == 2);
  const auto& failed = Fixture::find(out, "t101");
  CHECK(failed.verdict == Verdict::Failed);
  CHECK(failed.attempts.size() == 3);
  CHECK(overall(out) == RunVerdict::Failed);
  // The retry of t100 went to the sandbox it had not failed on.
  std::vector<std::size_t> sandboxes;
  for (std::size_t b = 0; b < f.exec.started.size(); ++b) {
    const auto& ids = f.exec.started_ids[b];
    if (std::find(ids.begin(), ids.end(), "t100") != ids.end()) {
      sandboxes.push_back(f.exec.started[b].sandbox);
    }
  }
  REQUIRE(sandboxes.size() == 2);
  CHECK(sandboxes[0] != sandboxes[1]);
}

TEST_CASE("engine::RunLoop singles out a hang: the batch times out, each test reruns alone") {
  auto tests = plain(5);
  tests["t102"].hangs = true;
  Fixture f(tests, 0, 1);
  const auto out = f.run();
  const auto& hung = Fixture::find(out, "t102");
  CHECK(hung.verdict == Verdict::Failed);
  REQUIRE(!hung.attempts.empty());
  CHECK(hung.attempts.back().result == AttemptResult::TimedOut);
  for (const char* id : {"t100", "t101", "t103", "t104"}) {
    CHECK(Fixture::find(out, id).verdict == Verdict::Passed);
  }
}

TEST_CASE("engine::RunLoop judges a test that kills its runner crashed, after a rerun alone") {
  auto tests = plain(4);
  tests["t101"].crashes = true;
  Fixture f(tests, 0, 1);
  const auto out = f.run();
  const auto& crashed = Fixture::find(out, "t101");
  CHECK(crashed.verdict == Verdict::Failed);
  CHECK(crashed.attempts.back().result == AttemptResult::Crashed);
  CHECK(crashed.attempts.back().message.find("exit status 137") != std::string::npos);
  // The tests after it in the batch lost their results and got them alone.
  for (const char* id : {"t100", "t102", "t103"}) {
    CHECK(Fixture::find(out, id).verdict == Verdict::Passed);
  }
}

TEST_CASE("engine::RunLoop calls a result the runner never reports not run, with the reason") {
  auto tests = plain(3);
  tests["t100"].unreported = true;
  Fixture f(tests, 2, 1);
  const auto out = f.run();
  const auto& r = Fixture::find(out, "t100");
  CHECK(r.verdict == Verdict::NotRun);
  CHECK(r.not_run_reason.find("match the discovered IDs") != std::string::npos);
  CHECK(overall(out) == RunVerdict::Failed);
}

TEST_CASE("engine::RunLoop fails the run on a failing result that matches no test") {
  Fixture f(plain(3));
  f.exec.report_stray(AttemptResult::Failed);
  const auto out = f.run();
  CHECK(!out.strays.empty());
  for (const auto& r : out.records) {
    CHECK(r.verdict == Verdict::Passed);
  }
  CHECK(overall(out) == RunVerdict::Failed);
}

TEST_CASE("engine::RunLoop fails the run when a runner exits non-zero though every test passed") {
  SUBCASE("an unexplained status is a problem") {
    Fixture f(plain(3), 0, 1);
    f.exec.exit_with(3);
    const auto out = f.run();
    REQUIRE(out.problems.size() == 1);
    CHECK(out.problems[0].find("exited with status 3") != std::string::npos);
    CHECK(overall(out) == RunVerdict::Failed);
  }
  SUBCASE("a status the framework calls benign is not") {
    Fixture f(plain(3), 0, 1);
    f.exec.exit_with(5);
    f.in.benign_exit_statuses = {5};
    const auto out = f.run();
    CHECK(out.problems.empty());
    CHECK(overall(out) == RunVerdict::Passed);
  }
}

TEST_CASE("engine::RunLoop hedges a slow batch on an idle sandbox; the first result wins, the loser is cancelled") {
  auto tests = plain(8);
  // History says 0.1 s each; one test takes far longer, so its batch is
  // overdue and the other sandbox, idle, copies its second half.
  for (auto& [id, t] : tests) {
    t.secs = 0.1;
  }
  tests["t107"].secs = 30.0;
  Fixture f(tests, 0, 2);
  for (const auto& [id, t] : f.suite) {
    f.history.add(id, 0.1);
  }
  const auto out = f.run();
  bool copied = false;
  for (const auto& b : f.exec.started) {
    copied = copied || b.duplicate_of.has_value();
  }
  CHECK(copied);
  for (const auto& r : out.records) {
    CHECK(r.verdict == Verdict::Passed);
    // However many copies ran, one result decided.
    const auto decided = std::count_if(r.attempts.begin(), r.attempts.end(),
                                       [](const Attempt& a) { return a.result == AttemptResult::Passed; });
    CHECK(decided == 1);
  }
  CHECK(f.exec.cancelled >= 1);
  check_every_sandbox_closed(f);
}

TEST_CASE("engine::RunLoop --fail-fast stops at the first failure; the rest is not run with the reason") {
  auto tests = plain(30, 1.0);
  tests["t100"].outcomes = {AttemptResult::Failed};
  tests["t100"].secs = 0.01;
  Fixture f(tests, 0, 1);
  f.in.options.fail_fast = true;
  const auto out = f.run();
  CHECK(Fixture::find(out, "t100").verdict == Verdict::Failed);
  std::size_t not_run = 0;
  for (const auto& r : out.records) {
    if (r.verdict == Verdict::NotRun) {
      ++not_run;
      CHECK(r.not_run_reason.find("--fail-fast") != std::string::npos);
    }
  }
  CHECK(not_run > 0);
}

TEST_CASE("engine::RunLoop on Ctrl-C cancels what runs and reports the rest interrupted") {
  Fixture f(plain(40, 1.0), 0, 2);
  f.exec.interrupt_at(2.5);
  const auto out = f.run();
  CHECK(out.interrupted);
  CHECK(overall(out) == RunVerdict::Interrupted);
  CHECK(f.exec.cancelled >= 1);
  std::size_t interrupted = 0;
  for (const auto& r : out.records) {
    interrupted += r.not_run_reason.find("interrupted") != std::string::npos ? 1 : 0;
  }
  CHECK(interrupted > 0);
  CHECK(out.wall_secs < 10.0);
  check_every_sandbox_closed(f);
}

TEST_CASE("engine::RunLoop started early takes discovery's answer: dropped tests vanish, new ones run") {
  auto tests = plain(4);
  tests["t900"] = FakeTest{0.1};
  Fixture f(tests, 0, 2);
  // The run starts on the last run's list: t100..t103 and t102 twice over.
  f.in.tests = {TestCase{"t100", 0, {}}, TestCase{"t101", 0, {}}, TestCase{"t102", 0, {}}, TestCase{"t103", 0, {}}};
  f.in.pending = true;
  f.exec.discovery_at(0.3, std::vector<TestCase>{TestCase{"t100", 0, {}}, TestCase{"t102", 0, {}},
                                                 TestCase{"t103", 0, {}}, TestCase{"t900", 0, {}}});
  const auto out = f.run();
  std::vector<std::string> ids;
  for (const auto& r : out.records) {
    ids.push_back(r.test.id);
    CHECK(r.verdict == Verdict::Passed);
  }
  CHECK(ids == std::vector<std::string>{"t100", "t102", "t103", "t900"});
  CHECK(out.withdrawn == 1);
  CHECK(out.started_early == 4);
  CHECK(f.observer.total == 4);
}

TEST_CASE("engine::RunLoop fails with discovery's error when it answers with one after an early start") {
  Fixture f(plain(4), 0, 2);
  f.in.pending = true;
  f.exec.discovery_at(0.3, make_error("pytest --collect-only failed: exit status 2"));
  RunLoop loop(f.exec, f.observer, std::move(f.in));
  const auto out = loop.run();
  REQUIRE(!out.ok());
  CHECK(out.error().message.find("collect-only failed") != std::string::npos);
  check_every_sandbox_closed(f);
}

TEST_CASE("engine::RunLoop with no sandbox to be had settles every test not run with the reason") {
  Fixture f(plain(5), 0, 2);
  f.exec.fail_creation(0, Error{"create_command: exit status 2: bad image", -22});
  f.exec.fail_creation(1, Error{"create_command: exit status 2: bad image", -22});
  const auto out = f.run();
  for (const auto& r : out.records) {
    CHECK(r.verdict == Verdict::NotRun);
    CHECK(r.not_run_reason.find("no sandbox could be created: create_command: exit status 2") != std::string::npos);
  }
  CHECK(f.exec.started.empty());
}

TEST_CASE("engine::RunLoop goes on with the sandboxes it has when one cannot be created") {
  Fixture f(plain(6), 0, 3);
  f.exec.fail_creation(1, Error{"quota exceeded", -11});
  const auto out = f.run();
  for (const auto& r : out.records) {
    CHECK(r.verdict == Verdict::Passed);
  }
  for (const auto& b : f.exec.started) {
    CHECK(b.sandbox != 1);
  }
}

TEST_CASE("engine::RunLoop retries infrastructure failures elsewhere and replaces a failing sandbox") {
  auto tests = plain(2);
  tests["t100"].infrastructure_failures = 2;
  Fixture f(tests, 0, 1);
  const auto out = f.run();
  const auto& r = Fixture::find(out, "t100");
  CHECK(r.verdict == Verdict::Passed);
  // The failures are kept as attempts but used none of the test's retries.
  CHECK(std::count_if(r.attempts.begin(), r.attempts.end(),
                      [](const Attempt& a) { return a.result == AttemptResult::Infrastructure; }) == 2);
  CHECK(f.exec.replaced() == 1);
}

TEST_CASE("engine::RunLoop with nothing to run opens no sandbox") {
  Fixture f({}, 0, 4);
  const auto out = f.run();
  CHECK(out.records.empty());
  CHECK(f.exec.opened() == 0);
}

TEST_SUITE_END();
