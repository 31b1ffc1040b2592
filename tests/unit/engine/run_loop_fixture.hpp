// SPDX-License-Identifier: MIT
#pragma once

// What the run loop's tests share: a one-group run on the simulated executor.

#include "engine/run_loop.hpp"
#include "sim_executor.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <span>

namespace offload::engine::testing {

using sim::FakeTest;
using sim::SimExecutor;

struct QuietObserver final : RunObserver {
  void run_started(std::size_t, std::size_t) override {}
  void total_changed(std::size_t tests) override { total = tests; }
  void progress(const Counts& c, double) override { last = c; }
  bool wants_output() const override { return false; }
  void output(std::size_t, std::size_t, OutputStream, std::string_view) override {}
  void message(std::string_view) override {}
  void run_finished() override { finished = true; }
  void sandbox_running(std::size_t sandbox, std::span<const std::string> tests) override {
    running.resize(std::max(running.size(), sandbox + 1));
    running[sandbox].assign(tests.begin(), tests.end());
    ran.insert(tests.begin(), tests.end());
  }
  void test_ended(const TestEnd& end) override {
    ended.push_back({end.record.test.id, end.settled, end.attempt ? end.attempt->result : AttemptResult::Cancelled,
                     end.settled ? end.record.verdict : Verdict::NotRun});
  }
  struct Ended {
    std::string id;
    bool settled = false;
    AttemptResult result = AttemptResult::Cancelled; ///< Cancelled: no attempt
    Verdict verdict = Verdict::NotRun;
  };
  std::size_t total = 0;
  Counts last;
  bool finished = false;
  std::vector<std::vector<std::string>> running; ///< per sandbox, as last told
  std::set<std::string> ran;                     ///< every test ever told running
  std::vector<Ended> ended;
};

// One group, `retries` retries; tests named as the suite's keys, in order.
// Not copyable: `in` points at its groups and history.
struct Fixture {
  explicit Fixture(std::map<std::string, FakeTest> tests, int retries = 0, std::size_t sandboxes = 2)
      : suite(tests), exec(std::move(tests)) {
    config::Group g;
    g.name = "all";
    g.retry_count = retries;
    groups.push_back(g);
    for (const auto& [id, t] : suite) {
      in.tests.push_back(TestCase{id, 0, std::nullopt});
    }
    in.groups = &groups;
    in.history = &history;
    in.options.sandboxes = sandboxes;
  }

  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  RunOutcome run() {
    RunLoop loop(exec, observer, std::move(in));
    auto out = loop.run();
    REQUIRE(out.ok());
    return std::move(*out);
  }

  static const TestRecord& find(const RunOutcome& out, const std::string& id) {
    const auto it = std::find_if(out.records.begin(), out.records.end(),
                                 [&](const TestRecord& r) { return r.test.id == id; });
    REQUIRE(it != out.records.end());
    return *it;
  }

  std::map<std::string, FakeTest> suite;
  SimExecutor exec;
  std::vector<config::Group> groups;
  History history;
  RunInputs in;
  QuietObserver observer;
};

inline std::map<std::string, FakeTest> plain(std::size_t n, double secs = 0.1) {
  std::map<std::string, FakeTest> tests;
  for (std::size_t i = 0; i < n; ++i) {
    tests["t" + std::to_string(100 + i)] = FakeTest{secs};
  }
  return tests;
}

inline void check_every_sandbox_closed(const Fixture& f) {
  CHECK(f.exec.alive() == 0);
}


} // namespace offload::engine::testing
