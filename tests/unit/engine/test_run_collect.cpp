// SPDX-License-Identifier: MIT
// Worker discovery: discovery lists files, the workers' reports of each
// file they collect are the run's tests.
#include "engine/pipeline.hpp"
#include "run_loop_fixture.hpp"

using namespace offload;
using namespace offload::engine;
using namespace offload::engine::testing;

namespace {

/// `files` files of `per_file` tests each: "f1.py::t1", ...
std::map<std::string, std::vector<std::string>> layout(std::size_t files, std::size_t per_file) {
  std::map<std::string, std::vector<std::string>> out;
  for (std::size_t f = 1; f <= files; ++f) {
    const std::string file = "f" + std::to_string(f) + ".py";
    for (std::size_t t = 1; t <= per_file; ++t) {
      out[file].push_back(file + "::t" + std::to_string(t));
    }
  }
  return out;
}

std::map<std::string, FakeTest> suite_of(const std::map<std::string, std::vector<std::string>>& files) {
  std::map<std::string, FakeTest> suite;
  for (const auto& [file, ids] : files) {
    for (const auto& id : ids) {
      suite[id] = FakeTest{0.2};
    }
  }
  return suite;
}

std::vector<TestCase> listing_of(const std::vector<std::string>& files) {
  std::vector<TestCase> out;
  for (const auto& file : files) {
    out.push_back(TestCase{{}, 0, file});
  }
  return out;
}

std::vector<std::string> ids_of(const RunOutcome& out) {
  std::vector<std::string> ids;
  for (const auto& r : out.records) {
    ids.push_back(r.test.id);
  }
  return ids;
}

/// A cold run: no test known, the files listed, workers on.
void collect_cold(Fixture& f, const std::vector<std::string>& files) {
  f.in.tests.clear();
  f.in.workers = true;
  f.in.per_test_timeout_secs = 5.0;
  f.in.worker_discovery = true;
  f.in.listing = listing_of(files);
}

} // namespace

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::RunLoop worker discovery: a cold run starts on files and runs what the workers collected") {
  auto files = layout(4, 5);
  Fixture f(suite_of(files), 0, 2);
  f.exec.set_files(files);
  collect_cold(f, {"f3.py", "f1.py", "f2.py", "f4.py"});
  const auto out = f.run();
  // The listing's order of files, each in its collection order.
  std::vector<std::string> expected;
  for (const char* file : {"f3.py", "f1.py", "f2.py", "f4.py"}) {
    expected.insert(expected.end(), files[file].begin(), files[file].end());
  }
  CHECK(ids_of(out) == expected);
  for (const auto& r : out.records) {
    CHECK(r.verdict == Verdict::Passed);
  }
  CHECK(f.exec.fed.size() == 20);
  // Each sandbox began on a file of its own; none collected all of them.
  CHECK(f.exec.worker_starts == 2);
  CHECK(f.exec.files_collected < 8);
  CHECK(f.observer.total == 20);
  check_every_sandbox_closed(f);
  CHECK(overall(out) == RunVerdict::Passed);
}

TEST_CASE("engine::RunLoop worker discovery: a worker still starting is not killed when the known tests are done") {
  // The first two workers collect and run their files before the others
  // have started: those still owe the rest of the listing, and collect it.
  auto files = layout(4, 1);
  Fixture f(suite_of(files), 0, 4);
  f.exec.set_files(files);
  f.exec.set_start_secs(2, 1.5);
  f.exec.set_start_secs(3, 1.5);
  collect_cold(f, {"f1.py", "f2.py", "f3.py", "f4.py"});
  const auto out = f.run();
  CHECK(out.records.size() == 4);
  for (const auto& r : out.records) {
    CHECK(r.verdict == Verdict::Passed);
  }
  CHECK(f.exec.workers_killed == 0);
  check_every_sandbox_closed(f);
}

TEST_CASE("engine::RunLoop worker discovery: a worker asked to collect is not stolen from meanwhile") {
  // One long file and many short ones: with files left to collect, the idle
  // sandbox collects one rather than split the long file.
  auto files = layout(6, 2);
  for (std::size_t t = 3; t <= 20; ++t) {
    files["f1.py"].push_back("f1.py::t" + std::to_string(t));
  }
  Fixture f(suite_of(files), 0, 2);
  f.exec.set_files(files);
  collect_cold(f, {"f1.py", "f2.py", "f3.py", "f4.py", "f5.py", "f6.py"});
  const auto out = f.run();
  CHECK(out.records.size() == 30);
  CHECK(f.exec.collect_requests.size() >= 4); // f3..f6 asked of running workers
  CHECK(f.exec.files_collected <= 7);         // at most one steal of f1 at the end
}

TEST_CASE("engine::RunLoop worker discovery: a warm run keeps to what the workers collect, file by file") {
  // The last run knew f1 (3 tests), f2 (t1, t2, old) and gone.py; now f2
  // lost 'old' and gained t3, gone.py is not listed, and new.py is new.
  std::map<std::string, std::vector<std::string>> files{
      {"f1.py", {"f1.py::t1", "f1.py::t2", "f1.py::t3"}},
      {"f2.py", {"f2.py::t1", "f2.py::t2", "f2.py::t3"}},
      {"new.py", {"new.py::t1", "new.py::t2"}},
  };
  auto suite = suite_of(files);
  suite["f2.py::old"] = FakeTest{0.2};
  suite["gone.py::t1"] = FakeTest{0.2};
  Fixture f(suite, 0, 2);
  f.exec.set_files(files);
  f.in.tests.clear();
  for (const char* id : {"f1.py::t1", "f1.py::t2", "f1.py::t3", "f2.py::t1", "f2.py::t2", "f2.py::old", "gone.py::t1"}) {
    const std::string s(id);
    f.in.tests.push_back(TestCase{s, 0, s.substr(0, s.find("::"))});
  }
  f.in.workers = true;
  f.in.per_test_timeout_secs = 5.0;
  f.in.worker_discovery = true;
  f.exec.discovery_at(0.05, listing_of({"f1.py", "f2.py", "new.py"}));
  const auto out = f.run();
  CHECK(ids_of(out) == std::vector<std::string>{"f1.py::t1", "f1.py::t2", "f1.py::t3", "f2.py::t1", "f2.py::t2",
                                                "f2.py::t3", "new.py::t1", "new.py::t2"});
  for (const auto& r : out.records) {
    CHECK(r.verdict == Verdict::Passed);
  }
  CHECK(out.withdrawn == 2);
  CHECK(f.exec.runs("new.py::t1") == 1);
  CHECK(f.exec.runs("f2.py::t3") == 1);
  CHECK(f.exec.runs("gone.py::t1") == 0);
  CHECK(f.exec.runs("f2.py::old") == 0);
  CHECK(overall(out) == RunVerdict::Passed);
}

TEST_CASE("engine::RunLoop worker discovery: a file that cannot be collected fails the run with its error") {
  auto files = layout(3, 4);
  Fixture f(suite_of(files), 0, 2);
  f.exec.set_files(files);
  f.exec.fail_collecting("f2.py", "ERROR collecting f2.py: ImportError: No module named 'nope'");
  collect_cold(f, {"f1.py", "f2.py", "f3.py"});
  RunLoop loop(f.exec, f.observer, std::move(f.in));
  const auto out = loop.run();
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message == "discovery: ERROR collecting f2.py: ImportError: No module named 'nope'");
  CHECK(f.exec.alive() == 0);
}

TEST_CASE("engine::RunLoop worker discovery: a file owed by a worker that died is asked of the next one") {
  auto files = layout(3, 3);
  Fixture f(suite_of(files), 0, 1);
  f.exec.set_files(files);
  f.exec.fail_worker_starts(2);
  collect_cold(f, {"f1.py", "f2.py", "f3.py"});
  const auto out = f.run();
  CHECK(out.records.size() == 9);
  for (const auto& r : out.records) {
    CHECK(r.verdict == Verdict::Passed);
  }
  CHECK(f.exec.worker_starts == 3);
}

TEST_CASE("engine::RunLoop worker discovery: every sandbox lost leaves the uncollected files as a problem") {
  auto files = layout(3, 3);
  Fixture f(suite_of(files), 0, 1);
  f.exec.set_files(files);
  f.exec.fail_worker_starts(3);
  collect_cold(f, {"f1.py", "f2.py", "f3.py"});
  const auto out = f.run();
  CHECK(out.records.empty());
  REQUIRE(out.problems.size() == 1);
  CHECK(out.problems[0].find("3 of the 3 listed test files were never collected") == 0);
  CHECK(overall(out) == RunVerdict::Failed);
}

TEST_CASE("engine::RunLoop worker discovery: Ctrl-C while files are collected ends the run") {
  auto files = layout(6, 10);
  Fixture f(suite_of(files), 0, 2);
  f.exec.set_files(files);
  collect_cold(f, {"f1.py", "f2.py", "f3.py", "f4.py", "f5.py", "f6.py"});
  f.exec.interrupt_at(1.0);
  const auto out = f.run();
  CHECK(out.interrupted);
  CHECK(out.records.size() < 60);
  CHECK(f.exec.alive() == 0);
}

TEST_SUITE_END();
