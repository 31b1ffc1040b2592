// SPDX-License-Identifier: MIT
// The dynamic policy's first round: one LPT bin per sandbox, a file's tests
// kept together where balance allows.
#include "engine/scheduler.hpp"
#include "engine/scheduler_limits.hpp"

#include <algorithm>
#include <limits>
#include <queue>
#include <set>
#include <unordered_map>

namespace offload::engine {

void Scheduler::plan_first_round() {
  // When the whole fair share goes now, the round takes everything: a cap
  // at exactly the share would leave a few tests for a second round that
  // costs every sandbox another start-up.
  const double target = target_secs();
  const bool takes_all = !(target < fair_share_secs());
  const double share = takes_all ? std::numeric_limits<double>::infinity() : target;
  struct Bin {
    double load = 0.0;
    std::size_t chars = 0;
    std::vector<std::size_t> tests;
  };
  std::vector<Bin> bins(std::min(m_opt.sandboxes, m_queue.size()));
  if (bins.size() < 2) {
    return;
  }
  // Least-loaded bin first; ties by index, so the plan is reproducible.
  std::set<std::pair<double, std::size_t>> by_load;
  for (std::size_t b = 0; b < bins.size(); ++b) {
    by_load.emplace(0.0, b);
  }
  // A test joins the bin its file went to while that bin stays within what
  // plain LPT would load its fullest bin with: a file's tests then share one
  // collection and one module set-up at no cost in balance.
  const double file_cap = takes_all ? lpt_makespan(bins.size()) : share;
  std::unordered_map<std::size_t, std::size_t> bin_of_file;
  const auto fits = [&](const Bin& bin, std::size_t t, double limit) {
    return bin.tests.empty() || (!m_tests[t].alone && bin.load + estimate(t) <= limit &&
                                 bin.chars + m_tests[t].id_chars + k_per_id_chars <= m_opt.max_command_chars);
  };
  const auto add = [&](std::size_t b, std::size_t t) {
    Bin& bin = bins[b];
    by_load.erase({bin.load, b});
    bin.tests.push_back(t);
    bin.load = m_tests[t].alone ? std::numeric_limits<double>::infinity() : bin.load + estimate(t);
    bin.chars += m_tests[t].id_chars + k_per_id_chars;
    by_load.emplace(bin.load, b);
  };
  const auto place = [&](std::size_t t) {
    const SchedTest& test = m_tests[t];
    // Only known durations follow their file: a file's unknown tests may all
    // be slow ones, and spread out they cannot all land on one sandbox.
    const bool follows_file = test.file != SchedTest::k_no_file && test.known_secs;
    if (follows_file) {
      if (auto it = bin_of_file.find(test.file); it != bin_of_file.end() && fits(bins[it->second], t, file_cap)) {
        add(it->second, t);
        return true;
      }
    }
    const std::size_t lightest = by_load.begin()->second;
    if (!fits(bins[lightest], t, share)) {
      return false;
    }
    add(lightest, t);
    if (follows_file) {
      bin_of_file[test.file] = lightest;
    }
    return true;
  };
  // Tests that must run alone go first, each in a bin of its own closed to
  // others, as heavyweights they should not wait for a second round.
  std::deque<std::size_t> rest;
  for (bool alone_pass : {true, false}) {
    for (std::size_t t : m_queue) {
      if (m_tests[t].alone == alone_pass && !place(t)) {
        rest.push_back(t);
      }
    }
  }
  // Keep the queue longest first, as it was.
  sort_longest_first(rest);
  m_queue = std::move(rest);
  std::stable_sort(bins.begin(), bins.end(), [](const Bin& a, const Bin& b) { return a.load > b.load; });
  for (auto& bin : bins) {
    if (!bin.tests.empty()) {
      m_first_round.push_back(std::move(bin.tests));
    }
  }
}

double Scheduler::lpt_makespan(std::size_t bins) const {
  // Each test that runs alone takes a bin of its own; the rest share the others.
  std::size_t alone = 0;
  for (std::size_t t : m_queue) {
    alone += m_tests[t].alone ? 1 : 0;
  }
  if (alone >= bins) {
    return 0.0;
  }
  std::priority_queue<double, std::vector<double>, std::greater<>> loads;
  for (std::size_t b = alone; b < bins; ++b) {
    loads.push(0.0);
  }
  double makespan = 0.0;
  for (std::size_t t : m_queue) {
    if (!m_tests[t].alone) {
      const double load = loads.top() + estimate(t);
      loads.pop();
      loads.push(load);
      makespan = std::max(makespan, load);
    }
  }
  return makespan;
}

} // namespace offload::engine
