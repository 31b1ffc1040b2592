// SPDX-License-Identifier: MIT
#include "engine/file_queue.hpp"
#include "engine/scheduler.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

using namespace offload::engine;

namespace {

// Tests 0..n-1, `per_file` to a file, 1 s each unless `secs` says otherwise.
struct Suite {
  std::vector<std::size_t> files;
  std::vector<double> secs;
  FileQueue queue;

  Suite(std::vector<std::size_t> sizes, double each = 1.0) {
    for (std::size_t f = 0; f < sizes.size(); ++f) {
      for (std::size_t i = 0; i < sizes[f]; ++i) {
        files.push_back(f);
        secs.push_back(each);
      }
    }
    std::vector<std::size_t> all(files.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    queue.add(all, [this](std::size_t t) { return files[t]; }, estimate());
  }
  FileQueue::Estimate estimate() const {
    return [this](std::size_t t) { return secs[t]; };
  }
  std::optional<std::size_t> take(std::size_t sandbox) { return queue.take(sandbox, estimate()); }
};

} // namespace

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::FileQueue gives each sandbox a file of its own, biggest first, tests in discovery order") {
  Suite s({2, 5, 3});
  // Sandbox 0 takes the biggest file (tests 2..6), sandbox 1 the next (7..9).
  CHECK(s.take(0) == 2u);
  CHECK(s.take(1) == 7u);
  CHECK(s.take(0) == 3u);
  CHECK(s.take(1) == 8u);
  CHECK(s.take(1) == 9u);
  // Sandbox 1's file is done: it begins the one nobody has, not sandbox 0's.
  CHECK(s.take(1) == 0u);
  CHECK(s.take(0) == 4u);
}

TEST_CASE("engine::FileQueue steals the back half of the biggest file being worked through") {
  Suite s({8});
  CHECK(s.take(0) == 0u);
  // Nothing unowned is left: sandbox 1 takes the back half (5..7) of 1..7.
  CHECK(s.take(1) == 5u);
  CHECK(s.take(1) == 6u);
  for (std::size_t t = 1; t <= 4; ++t) {
    CHECK(s.take(0) == t);
  }
  // Sandbox 0 is through its part; the one test left is still worth taking.
  CHECK(s.take(0) == 7u);
  CHECK_FALSE(s.take(1));
  CHECK_FALSE(s.take(0));
  CHECK(s.queue.empty());
}

TEST_CASE("engine::FileQueue hands out every test exactly once, whatever the order of takes") {
  Suite s({1, 7, 3, 12, 2, 9, 4});
  std::multiset<std::size_t> seen;
  std::map<std::size_t, std::vector<std::size_t>> by_sandbox;
  for (std::size_t round = 0; !s.queue.empty(); ++round) {
    const std::size_t sandbox = (round * 7 + round / 3) % 4;
    if (auto t = s.take(sandbox)) {
      seen.insert(*t);
      by_sandbox[sandbox].push_back(*t);
    }
  }
  CHECK(seen.size() == s.files.size());
  CHECK(std::set<std::size_t>(seen.begin(), seen.end()).size() == s.files.size());
  // Within one sandbox, the tests of a file come in discovery order.
  for (const auto& [sandbox, tests] : by_sandbox) {
    for (std::size_t i = 1; i < tests.size(); ++i) {
      if (s.files[tests[i]] == s.files[tests[i - 1]]) {
        CHECK(tests[i] > tests[i - 1]);
      }
    }
  }
}

TEST_CASE("engine::FileQueue puts late tests of a file being worked through behind it, drains and withdraws") {
  Suite s({3, 3});
  CHECK(s.take(0) == 0u);
  s.files.push_back(0);
  s.secs.push_back(1.0);
  s.queue.add({6}, [&](std::size_t t) { return s.files[t]; }, s.estimate());
  CHECK(s.take(0) == 1u);
  CHECK(s.take(0) == 2u);
  CHECK(s.take(0) == 6u);

  s.queue.withdraw([](std::size_t t) { return t == 4; }, s.estimate());
  CHECK(s.take(1) == 3u);
  CHECK(s.take(1) == 5u);
  CHECK(s.queue.empty());

  Suite d({2, 2});
  CHECK(d.take(0) == 0u);
  std::vector<std::size_t> rest = d.queue.drain();
  std::sort(rest.begin(), rest.end());
  CHECK(rest == std::vector<std::size_t>{1, 2, 3});
  CHECK(d.queue.empty());
  CHECK_FALSE(d.take(1));
}

TEST_CASE("engine::Scheduler streaming by file: one test per take, a file per sandbox, every test once") {
  std::vector<SchedTest> tests;
  for (std::size_t i = 0; i < 40; ++i) {
    SchedTest t;
    t.known_secs = 0.1;
    t.file = i / 10;
    tests.push_back(t);
  }
  SchedulerOptions o;
  o.sandboxes = 2;
  o.max_batch_tests = 1;
  o.stream_by_file = true;
  o.hedge = false;
  Scheduler s(tests, o);
  std::set<std::size_t> seen;
  std::map<std::size_t, std::set<std::size_t>> files_of;
  double now = 0.0;
  while (s.has_queued()) {
    for (std::size_t sandbox = 0; sandbox < 2; ++sandbox) {
      auto b = s.take(sandbox, now);
      if (!b) {
        continue;
      }
      REQUIRE(b->tests.size() == 1);
      CHECK(seen.insert(b->tests[0]).second);
      files_of[sandbox].insert(tests[b->tests[0]].file);
      s.finished(*b, {{b->tests[0], 0.1}}, 0.1);
      now += 0.1;
    }
  }
  CHECK(seen.size() == 40);
  // Four files of equal size on two sandboxes: two whole files each.
  CHECK(files_of[0].size() == 2);
  CHECK(files_of[1].size() == 2);
  CHECK(s.queued_secs() == doctest::Approx(0.0));
}

TEST_SUITE_END();
