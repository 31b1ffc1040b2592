// SPDX-License-Identifier: MIT
// Drives the real engine::Scheduler with simulated sandboxes on a virtual
// clock, to see how its policy scales where real runs can't go (a million
// tests on a thousand sandboxes). Prints one JSON object.
//
// --policy dynamic|static: a command per batch, each paying --startup.
// --policy stream: persistent workers: --startup once per sandbox, then one
// test at a time from the file queue (--tests-per-file), each request
// reaching the worker --dispatch seconds after the result that asked for it,
// with one test queued behind the running one, as the run loop keeps it.
#include "engine/scheduler.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

using offload::engine::Batch;
using offload::engine::Scheduler;
using offload::engine::SchedulerOptions;
using offload::engine::SchedTest;

namespace {

struct Params {
  std::size_t tests = 1'000'000;
  std::size_t sandboxes = 1000;
  double median_secs = 0.03;
  double sigma = 1.0;       ///< of the lognormal test durations
  double startup_secs = 0.5; ///< per batch
  double noise = 0.0;       ///< sigma of actual/estimated duration (0 = history is exact)
  bool dynamic = true;
  bool stream = false;
  double dispatch_secs = 0.005; ///< stream: host round trip before a request reaches the worker
  std::size_t tests_per_file = 20;
  unsigned seed = 42;
};

Params parse(int argc, char** argv) {
  Params p;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--tests") p.tests = std::strtoull(v, nullptr, 10);
    else if (k == "--sandboxes") p.sandboxes = std::strtoull(v, nullptr, 10);
    else if (k == "--median") p.median_secs = std::atof(v);
    else if (k == "--sigma") p.sigma = std::atof(v);
    else if (k == "--startup") p.startup_secs = std::atof(v);
    else if (k == "--noise") p.noise = std::atof(v);
    else if (k == "--policy") {
      p.dynamic = std::string(v) != "static";
      p.stream = std::string(v) == "stream";
    }
    else if (k == "--dispatch") p.dispatch_secs = std::atof(v);
    else if (k == "--tests-per-file") p.tests_per_file = std::strtoull(v, nullptr, 10);
    else if (k == "--seed") p.seed = static_cast<unsigned>(std::atoi(v));
    else {
      std::fprintf(stderr, "simulate: unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return p;
}

double cpu_now() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

struct Event {
  double at;
  Batch batch;
  bool operator>(const Event& o) const { return at > o.at; }
};

struct StreamResult {
  double makespan = 0.0;
  double busy = 0.0;
  std::size_t remaining = 0;
};

// One worker per sandbox; each test's result is the event that refills it.
template <class Timed>
StreamResult simulate_stream(const Params& p, Scheduler& scheduler, const std::vector<double>& actual,
                             Timed&& timed) {
  struct Queued {
    Batch batch;
    double ready_at; ///< when the request reaches the worker
  };
  std::vector<std::optional<Queued>> waiting(p.sandboxes);
  std::priority_queue<Event, std::vector<Event>, std::greater<>> running;
  StreamResult r;
  r.remaining = actual.size();
  const auto take = [&](std::size_t s, double now) {
    return timed([&] { return scheduler.take(s, now); });
  };
  const auto start = [&](Batch b, double at) {
    running.push({at + actual[b.tests.front()], std::move(b)});
  };
  for (std::size_t s = 0; s < p.sandboxes; ++s) {
    // The first test goes with the worker's start; the next is queued.
    if (auto first = take(s, 0.0)) {
      start(std::move(*first), std::max(p.startup_secs, p.dispatch_secs));
      if (auto next = take(s, 0.0)) {
        waiting[s] = Queued{std::move(*next), p.dispatch_secs};
      }
    }
  }
  while (!running.empty()) {
    Event ev = running.top();
    running.pop();
    const std::size_t s = ev.batch.sandbox;
    const std::size_t t = ev.batch.tests.front();
    --r.remaining;
    r.makespan = std::max(r.makespan, ev.at);
    r.busy += actual[t];
    timed([&] {
      scheduler.finished(ev.batch, {{t, actual[t]}}, actual[t]);
      return 0;
    });
    double next_start = ev.at;
    std::optional<Batch> next;
    if (waiting[s]) {
      next_start = std::max(ev.at, waiting[s]->ready_at);
      next = std::move(waiting[s]->batch);
      waiting[s].reset();
    } else if ((next = take(s, ev.at))) {
      next_start = ev.at + p.dispatch_secs;
    }
    if (next) {
      start(std::move(*next), next_start);
      if (auto queued = take(s, ev.at)) {
        waiting[s] = Queued{std::move(*queued), ev.at + p.dispatch_secs};
      }
    }
  }
  return r;
}

} // namespace

int main(int argc, char** argv) {
  const Params p = parse(argc, argv);
  std::mt19937_64 rng(p.seed);
  std::lognormal_distribution<double> duration(std::log(p.median_secs), p.sigma);
  std::lognormal_distribution<double> noise(0.0, p.noise > 0 ? p.noise : 1e-12);

  std::vector<double> actual(p.tests);
  std::vector<SchedTest> tests(p.tests);
  double sum = 0.0;
  double longest = 0.0;
  for (std::size_t i = 0; i < p.tests; ++i) {
    const double estimate = duration(rng);
    actual[i] = p.noise > 0 ? estimate * noise(rng) : estimate;
    tests[i].id_chars = 40;
    tests[i].known_secs = estimate;
    tests[i].file = i / std::max<std::size_t>(1, p.tests_per_file);
    sum += actual[i];
    longest = std::max(longest, actual[i]);
  }
  const double lower_bound = std::max(longest, sum / static_cast<double>(p.sandboxes)) + p.startup_secs;

  double sched_cpu = 0.0;
  auto timed = [&](auto&& fn) {
    const double t0 = cpu_now();
    auto r = fn();
    sched_cpu += cpu_now() - t0;
    return r;
  };

  SchedulerOptions opt;
  opt.sandboxes = p.sandboxes;
  opt.initial_overhead_secs = p.startup_secs;
  opt.policy = p.dynamic ? offload::engine::SchedulePolicy::Dynamic : offload::engine::SchedulePolicy::Static;
  if (p.stream) {
    opt.max_batch_tests = 1;
    opt.stream_by_file = true;
    opt.hedge = false;
    opt.initial_overhead_secs = 0.0;
  }
  auto scheduler = timed([&] { return std::make_unique<Scheduler>(tests, opt); });
  if (p.stream) {
    const StreamResult r = simulate_stream(p, *scheduler, actual, timed);
    const nlohmann::json out{
        {"tests", p.tests},
        {"sandboxes", p.sandboxes},
        {"policy", "stream"},
        {"startup_secs", p.startup_secs},
        {"dispatch_secs", p.dispatch_secs},
        {"tests_per_file", p.tests_per_file},
        {"noise", p.noise},
        {"makespan_secs", r.makespan},
        {"lower_bound_secs", lower_bound},
        {"makespan_over_lb", r.makespan / lower_bound},
        {"sandbox_busy_secs", r.busy},
        {"scheduling_cpu_secs", sched_cpu},
        {"unfinished_tests", r.remaining},
    };
    std::printf("%s\n", out.dump().c_str());
    return r.remaining == 0 ? 0 : 1;
  }

  std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
  std::vector<bool> done(p.tests, false);
  std::vector<bool> cancelled_batch;
  std::vector<std::size_t> idle;
  for (std::size_t s = p.sandboxes; s-- > 0;) {
    idle.push_back(s);
  }
  std::size_t remaining = p.tests;
  std::size_t batches = 0;
  double makespan = 0.0;
  double busy = 0.0;

  // Idle sandboxes ask for work; they see the same queue, so once one gets
  // nothing the rest would get nothing either.
  auto dispatch = [&](double now) {
    while (!idle.empty()) {
      const std::size_t s = idle.back();
      auto b = timed([&] { return scheduler->take(s, now); });
      if (!b) {
        return;
      }
      idle.pop_back();
      ++batches;
      double run = p.startup_secs;
      for (auto t : b->tests) {
        run += actual[t];
      }
      events.push({now + run, std::move(*b)});
    }
  };

  dispatch(0.0);
  while (!events.empty() && remaining > 0) {
    Event ev = events.top();
    events.pop();
    if (ev.batch.id < cancelled_batch.size() && cancelled_batch[ev.batch.id]) {
      continue;
    }
    std::vector<std::pair<std::size_t, double>> observed;
    for (auto t : ev.batch.tests) {
      if (!done[t]) {
        done[t] = true;
        --remaining;
        observed.emplace_back(t, actual[t]);
      }
    }
    busy += ev.at - ev.batch.start;
    makespan = std::max(makespan, ev.at);
    // A copy whose every test is answered is stopped; its sandbox frees up now.
    const auto twins = timed([&] { return scheduler->twins(ev.batch.id); });
    timed([&] {
      scheduler->finished(ev.batch, observed, ev.at - ev.batch.start);
      return 0;
    });
    idle.push_back(ev.batch.sandbox);
    for (std::size_t twin : twins) {
      std::vector<Event> kept;
      while (!events.empty()) {
        kept.push_back(events.top());
        events.pop();
      }
      for (auto& e : kept) {
        const bool answered = std::all_of(e.batch.tests.begin(), e.batch.tests.end(),
                                          [&](std::size_t t) { return done[t]; });
        if (e.batch.id == twin && answered) {
          cancelled_batch.resize(std::max(cancelled_batch.size(), e.batch.id + 1), false);
          cancelled_batch[e.batch.id] = true;
          busy += ev.at - e.batch.start;
          timed([&] {
            scheduler->finished(e.batch, {}, ev.at - e.batch.start);
            return 0;
          });
          idle.push_back(e.batch.sandbox);
        } else {
          events.push(std::move(e));
        }
      }
    }
    if (remaining > 0) {
      dispatch(ev.at);
    }
  }

  const nlohmann::json out{
      {"tests", p.tests},
      {"sandboxes", p.sandboxes},
      {"policy", p.dynamic ? "dynamic" : "static"},
      {"startup_secs", p.startup_secs},
      {"noise", p.noise},
      {"batches", batches},
      {"makespan_secs", makespan},
      {"lower_bound_secs", lower_bound},
      {"makespan_over_lb", makespan / lower_bound},
      {"sandbox_busy_secs", busy},
      {"scheduling_cpu_secs", sched_cpu},
      {"unfinished_tests", remaining},
  };
  std::printf("%s\n", out.dump().c_str());
  return remaining == 0 ? 0 : 1;
}
