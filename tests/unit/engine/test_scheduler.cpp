// SPDX-License-Identifier: MIT
#include "engine/scheduler.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

using namespace offload;
using namespace offload::engine;

namespace {

std::vector<SchedTest> tests_with(const std::vector<double>& secs, std::size_t id_chars = 10) {
  std::vector<SchedTest> out;
  for (double s : secs) {
    SchedTest t;
    t.id_chars = id_chars;
    t.known_secs = s;
    out.push_back(t);
  }
  return out;
}

SchedulerOptions dynamic(std::size_t sandboxes) {
  SchedulerOptions o;
  o.sandboxes = sandboxes;
  o.initial_overhead_secs = 0.1;
  return o;
}

} // namespace

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::Scheduler hands out every test once, longest in the first round, then shrinking batches") {
  std::vector<double> secs;
  for (int i = 0; i < 200; ++i) {
    secs.push_back(0.1 + (i % 17) * 0.05);
  }
  secs[123] = 9.0;
  Scheduler s(tests_with(secs), dynamic(4));
  std::multiset<std::size_t> seen;
  std::vector<double> batch_loads;
  std::vector<std::size_t> first_round;
  double now = 0.0;
  while (auto b = s.take(0, now)) {
    if (batch_loads.size() < 4) {
      first_round.insert(first_round.end(), b->tests.begin(), b->tests.end());
    }
    double load = 0.0;
    for (auto t : b->tests) {
      seen.insert(t);
      load += secs[t];
    }
    batch_loads.push_back(load);
    s.finished(*b, {}, 0.0);
    now += 1.0;
  }
  CHECK(seen.size() == 200);
  CHECK(std::set<std::size_t>(seen.begin(), seen.end()).size() == 200);
  CHECK(batch_loads.size() > 4);
  // The longest test starts in the first round, one batch per sandbox.
  CHECK(std::find(first_round.begin(), first_round.end(), 123) != first_round.end());
  CHECK(batch_loads[1] > batch_loads.back());          // batches shrink as the queue drains
  CHECK_FALSE(s.has_queued());
}

TEST_CASE("engine::Scheduler keeps each batch within the command-line budget") {
  SchedulerOptions o = dynamic(1);
  o.max_command_chars = 1000;
  o.min_batch_overheads = 1e9; // would take everything at once without the budget
  Scheduler s(tests_with(std::vector<double>(100, 1.0), 97), o);
  std::size_t total = 0;
  while (auto b = s.take(0, 0.0)) {
    CHECK(b->tests.size() * 100 <= 1000);
    total += b->tests.size();
    s.finished(*b, {}, 0.0);
  }
  CHECK(total == 100);
}

TEST_CASE("engine::Scheduler runs tests of an individual group alone") {
  auto tests = tests_with({1, 1, 1, 1});
  tests[1].alone = tests[2].alone = true;
  SchedulerOptions o = dynamic(1);
  o.min_batch_overheads = 1e9;
  Scheduler s(tests, o);
  while (auto b = s.take(0, 0.0)) {
    if (std::find(b->tests.begin(), b->tests.end(), 1) != b->tests.end() ||
        std::find(b->tests.begin(), b->tests.end(), 2) != b->tests.end()) {
      CHECK(b->tests.size() == 1);
    }
    s.finished(*b, {}, 0.0);
  }
}

TEST_CASE("engine::Scheduler starts tests that run alone in the first round") {
  auto tests = tests_with({1, 1, 1, 1, 1, 1, 1, 1});
  tests[7].alone = true; // last in queue order, yet it must not wait for a second round
  Scheduler s(tests, dynamic(3));
  bool started = false;
  for (std::size_t sandbox = 0; sandbox < 3; ++sandbox) {
    auto b = s.take(sandbox, 0.0);
    REQUIRE(b);
    started = started || b->tests == std::vector<std::size_t>{7};
  }
  CHECK(started);
}

TEST_CASE("engine::Scheduler puts retries first, on another sandbox when it can") {
  Scheduler s(tests_with(std::vector<double>(20, 1.0)), dynamic(2));
  auto first = s.take(0, 0.0);
  REQUIRE(first);
  const std::size_t failed = first->tests.front();
  s.finished(*first, {}, 1.0);
  s.retry(failed, 0);
  auto on_same = s.take(0, 1.0);
  REQUIRE(on_same);
  CHECK(std::find(on_same->tests.begin(), on_same->tests.end(), failed) == on_same->tests.end());
  auto on_other = s.take(1, 1.0);
  REQUIRE(on_other);
  CHECK(on_other->tests.front() == failed);
}

TEST_CASE("engine::Scheduler gives a retry to the sandbox it failed on rather than idle") {
  Scheduler s(tests_with({1.0}), dynamic(2));
  auto b = s.take(0, 0.0);
  REQUIRE(b);
  s.finished(*b, {}, 1.0);
  s.retry(0, 0);
  auto again = s.take(0, 1.0);
  REQUIRE(again);
  CHECK(again->tests == std::vector<std::size_t>{0});
}

TEST_CASE("engine::Scheduler isolates tests one per batch") {
  SchedulerOptions o = dynamic(1);
  o.hedge = false;
  Scheduler s(tests_with({1, 1, 1}), o);
  auto b = s.take(0, 0.0);
  REQUIRE(b);
  s.finished(*b, {}, 0.0);
  for (auto t : b->tests) {
    s.isolate(t);
  }
  std::size_t isolated = 0;
  while (auto one = s.take(0, 0.0)) {
    if (one->isolation) {
      CHECK(one->tests.size() == 1);
      ++isolated;
    }
    s.finished(*one, {}, 0.0);
  }
  CHECK(isolated == b->tests.size());
}

TEST_CASE("engine::Scheduler hedges the tail of the batch expected to end last") {
  SchedulerOptions o = dynamic(2);
  o.share_per_batch = 1.0;
  Scheduler s(tests_with({3, 3, 3, 3, 1}), o);
  auto a = s.take(0, 0.0);
  auto b = s.take(1, 0.0);
  REQUIRE(a);
  REQUIRE(b);
  const Batch& big = a->estimate_secs >= b->estimate_secs ? *a : *b;
  const Batch& small = a->estimate_secs >= b->estimate_secs ? *b : *a;
  REQUIRE(big.tests.size() > 1);
  CHECK_FALSE(s.has_queued()); // one round took everything
  s.finished(small, {}, 1.0);
  // Nothing queued: the idle sandbox copies the tail of the batch ending last.
  auto copy = s.take(small.sandbox, 1.0);
  REQUIRE(copy);
  CHECK(copy->duplicate_of == big.id);
  CHECK(copy->tests == std::vector<std::size_t>(big.tests.begin() + static_cast<std::ptrdiff_t>(big.tests.size() / 2),
                                                big.tests.end()));
  CHECK(s.twins(big.id) == std::vector<std::size_t>{copy->id});
  CHECK(s.twins(copy->id) == std::vector<std::size_t>{big.id});
  CHECK_FALSE(s.take(small.sandbox, 1.1)); // a batch is copied once

  SchedulerOptions off = o;
  off.hedge = false;
  Scheduler no_hedge(tests_with({3, 3, 3, 3, 1}), off);
  auto first = no_hedge.take(0, 0.0);
  auto second = no_hedge.take(1, 0.0);
  REQUIRE(first);
  REQUIRE(second);
  no_hedge.finished(*second, {}, 1.0);
  CHECK_FALSE(no_hedge.take(1, 1.0));
}

TEST_CASE("engine::Scheduler learns unknown tests' durations from their group") {
  std::vector<SchedTest> tests(6);
  for (auto& t : tests) {
    t.id_chars = 5;
  }
  SchedulerOptions o = dynamic(1);
  o.default_test_secs = 1.0;
  Scheduler s(tests, o);
  CHECK(s.estimate(5) == doctest::Approx(1.0));
  auto b = s.take(0, 0.0);
  REQUIRE(b);
  std::vector<std::pair<std::size_t, double>> observed;
  for (auto t : b->tests) {
    observed.emplace_back(t, 0.02);
  }
  s.finished(*b, observed, 0.5);
  if (s.has_queued()) {
    auto next = s.take(0, 1.0);
    REQUIRE(next);
    CHECK(s.estimate(next->tests.front()) == doctest::Approx(0.02));
  }
  CHECK(s.overhead_secs() > 0.1);
}

TEST_CASE("engine::Scheduler static policy: LPT batches, instances of a test never share one") {
  SchedulerOptions o;
  o.sandboxes = 3;
  o.policy = SchedulePolicy::Static;
  o.static_instances = {3, 1, 1, 1, 1, 2};
  Scheduler s(tests_with({5, 4, 3, 2, 1, 1}), o);
  std::size_t instances = 0;
  std::size_t batches = 0;
  while (auto b = s.take(batches % 3, 0.0)) {
    std::set<std::size_t> unique(b->tests.begin(), b->tests.end());
    CHECK(unique.size() == b->tests.size());
    instances += b->tests.size();
    ++batches;
    s.finished(*b, {}, 0.0);
  }
  CHECK(instances == 9);
  CHECK(batches == 3);
}

TEST_CASE("engine::Scheduler::queued_secs stays the sum of what is queued") {
  std::vector<SchedTest> tests(300);
  std::mt19937 rng(7);
  for (std::size_t i = 0; i < tests.size(); ++i) {
    tests[i].group = i % 3;
    tests[i].id_chars = 8;
    if (i % 4 != 0) {
      tests[i].known_secs = 0.01 * static_cast<double>(rng() % 100);
    }
  }
  SchedulerOptions o = dynamic(3);
  Scheduler s(tests, o);
  std::multiset<std::size_t> queued;
  for (std::size_t i = 0; i < tests.size(); ++i) {
    queued.insert(i);
  }
  const auto expected = [&] {
    double sum = 0.0;
    for (auto t : queued) {
      sum += s.estimate(t);
    }
    return sum;
  };
  double now = 0.0;
  while (auto b = s.take(rng() % 3, now)) {
    std::vector<std::pair<std::size_t, double>> observed;
    for (auto t : b->tests) {
      queued.erase(queued.find(t));
      if (rng() % 2 == 0) {
        observed.emplace_back(t, 0.05);
      }
    }
    s.finished(*b, observed, 1.0);
    if (rng() % 3 == 0) {
      s.retry(b->tests.front(), std::nullopt);
      queued.insert(b->tests.front());
    }
    if (rng() % 5 == 0) {
      s.isolate(b->tests.back());
      queued.insert(b->tests.back());
    }
    CHECK(s.queued_secs() == doctest::Approx(expected()).epsilon(1e-9));
    now += 1.0;
  }
  CHECK(queued.empty());
  CHECK(s.queued_secs() == doctest::Approx(0.0));
}

TEST_CASE("engine::Scheduler drain empties the queue") {
  Scheduler s(tests_with({1, 2, 3}), dynamic(1));
  s.retry(0, std::nullopt);
  const auto drained = s.drain();
  CHECK(drained == std::vector<std::size_t>{0, 1, 2});
  CHECK_FALSE(s.has_queued());
  CHECK_FALSE(s.take(0, 0.0));
}

TEST_CASE("engine::Scheduler keeps a file's tests in one first-round batch where balance allows") {
  // 8 files of 10 tests each, 0.1 s to 1.0 s: the fair share per sandbox is
  // about two files' worth, so a balanced plan can keep most files whole.
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> duration(0.1, 1.0);
  std::vector<SchedTest> tests;
  std::vector<double> secs;
  for (std::size_t f = 0; f < 8; ++f) {
    for (int i = 0; i < 10; ++i) {
      SchedTest t;
      t.id_chars = 10;
      t.known_secs = duration(rng);
      t.file = f;
      tests.push_back(t);
      secs.push_back(*t.known_secs);
    }
  }
  const double fair = std::accumulate(secs.begin(), secs.end(), 0.0) / 4;
  SchedulerOptions o = dynamic(4);
  o.initial_overhead_secs = 1.0; // the rest of a share is not worth another start-up: one round
  Scheduler s(tests, o);
  std::vector<double> loads;
  std::size_t pieces = 0; // (file, batch) pairs: each costs a collection

  while (auto b = s.take(0, 0.0)) {
    std::set<std::size_t> files;
    double load = 0.0;
    for (std::size_t t : b->tests) {
      files.insert(tests[t].file);
      load += secs[t];
    }
    loads.push_back(load);
    pieces += files.size();
  }
  REQUIRE(loads.size() == 4);
  // Plain LPT spreads nearly every file over all four sandboxes (31 pieces).
  CHECK(pieces <= 16);
  for (double load : loads) {
    CHECK(load == doctest::Approx(fair).epsilon(0.05));
  }
}

TEST_CASE("engine::Scheduler spreads a file's tests of unknown duration") {
  // They may all be slow; together they would make one sandbox the tail.
  std::vector<SchedTest> tests(40);
  for (auto& t : tests) {
    t.id_chars = 10;
    t.file = 0;
  }
  Scheduler s(tests, dynamic(4));
  std::vector<std::size_t> sizes;
  for (int i = 0; i < 4; ++i) {
    auto b = s.take(static_cast<std::size_t>(i), 0.0);
    REQUIRE(b);
    sizes.push_back(b->tests.size());
  }
  CHECK(*std::max_element(sizes.begin(), sizes.end()) - *std::min_element(sizes.begin(), sizes.end()) <= 1);
}

TEST_CASE("engine::Scheduler adds late tests and withdraws gone ones from every queue") {
  const std::vector<double> secs{5, 4, 3, 2, 1, 1};
  SchedulerOptions o = dynamic(2);
  o.hedge = false;
  Scheduler s(tests_with(secs), o);
  auto first = s.take(0, 0.0);
  REQUIRE(first);
  const std::size_t kept = first->tests.front();
  s.retry(kept, std::nullopt);
  std::vector<char> gone(secs.size(), 1);
  gone[kept] = 0;
  SchedTest late;
  late.known_secs = 7.0;
  late.id_chars = 10;
  CHECK(s.add({late}) == secs.size());
  s.withdraw(gone);
  // Left: the retried test and the late one, nothing that was withdrawn.
  CHECK(s.queued_secs() == doctest::Approx(7.0 + secs[kept]));
  std::set<std::size_t> handed;
  while (auto b = s.take(1, 1.0)) {
    handed.insert(b->tests.begin(), b->tests.end());
    s.finished(*b, {}, 0.0);
  }
  CHECK(handed == std::set<std::size_t>{kept, secs.size()});
  CHECK(s.queued_secs() == doctest::Approx(0.0));
}

TEST_CASE("engine::Scheduler re-estimates running batches as a cold run learns its tests") {
  // No history: every test counts as 1 s until the first batch reports.
  std::vector<SchedTest> tests(100);
  for (auto& t : tests) {
    t.id_chars = 10;
  }
  Scheduler s(tests, dynamic(4));
  std::vector<Batch> first;
  for (std::size_t i = 0; i < 4; ++i) {
    auto b = s.take(i, 0.0);
    REQUIRE(b);
    first.push_back(*b);
  }
  std::vector<std::pair<std::size_t, double>> observed;
  for (std::size_t t : first[0].tests) {
    observed.emplace_back(t, 0.01);
  }
  s.finished(first[0], observed, 1.0);
  // The other three batches are now expected to be done about now, not in
  // 20 s, so the idle sandbox takes its share of what is queued, not all.
  const double queued = s.queued_secs();
  auto next = s.take(0, 1.0);
  REQUIRE(next);
  CHECK(next->tests.size() * 0.01 < queued);
  CHECK(s.has_queued());
}

TEST_SUITE_END();
