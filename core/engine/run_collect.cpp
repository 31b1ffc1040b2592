// SPDX-License-Identifier: MIT
// The run loop's worker discovery: discovery listed only the files, each
// worker reports every file it collects with its tests, and those reports
// are the run's test list. A file nobody's tests made a worker collect is
// asked of a worker whose sandbox has nothing of its own to run.
#include "engine/run_loop.hpp"

#include <spdlog/spdlog.h>

namespace offload::engine {

void RunLoop::start_listing(const std::vector<TestCase>& files) {
  m_collect.active = true;
  m_collect.listed = true;
  for (const TestCase& f : files) {
    if (f.file && m_collect.listed_files.insert(*f.file).second) {
      m_collect.files.push_back(*f.file);
    }
  }
  // Tests of the last run in files no longer listed are gone.
  std::vector<std::size_t> unlisted;
  for (const auto& [file, tests] : m_tests_of_file) {
    if (!m_collect.listed_files.contains(file)) {
      unlisted.insert(unlisted.end(), tests.begin(), tests.end());
    }
  }
  withdraw_tests(unlisted);
  m_collect.remaining = 0;
  for (const std::string& file : m_collect.files) {
    if (m_collect.collected.contains(file)) {
      continue;
    }
    ++m_collect.remaining;
    // A file with queued tests is collected by the worker that takes them.
    const auto known = m_tests_of_file.find(file);
    const bool queued = known != m_tests_of_file.end() &&
                        std::any_of(known->second.begin(), known->second.end(),
                                    [&](std::size_t t) { return !m_tracker.withdrawn(t); });
    if (!queued) {
      m_collect.uncollected.push_back(file);
    }
  }
  settle_listing();
  open_slots(sandboxes_for(std::max(m_tracker.live(), m_collect.uncollected.size())));
}

void RunLoop::on_file_collected(FileCollected& e) {
  if (!m_collect.active) {
    return;
  }
  std::erase(m_collect.asked[e.slot], e.file);
  std::erase(m_collect.uncollected, e.file);
  if (!e.error.empty()) {
    // As when discovery cannot collect a file: the run fails with it.
    fail_discovery(make_error("discovery: ", e.error));
    return;
  }
  if (m_collect.collected.contains(e.file)) {
    return; // another worker reported it first; a file collects alike everywhere
  }
  std::unordered_set<std::string> ids;
  std::vector<std::string> order;
  std::vector<TestCase> fresh;
  for (TestCase& t : e.tests) {
    if (!ids.insert(t.id).second) {
      continue;
    }
    order.push_back(t.id);
    const auto known = m_index.find(t.id);
    if (known == m_index.end() || m_tracker.withdrawn(known->second)) {
      t.group = 0; // worker discovery runs with one group
      t.file = e.file;
      fresh.push_back(std::move(t));
    }
  }
  std::vector<std::size_t> gone;
  if (const auto before = m_tests_of_file.find(e.file); before != m_tests_of_file.end()) {
    for (std::size_t t : before->second) {
      if (!ids.contains(m_in.tests[t].id)) {
        gone.push_back(t);
      }
    }
  }
  withdraw_tests(gone);
  // Its worker has the file imported: its sandbox runs it, unless others run out.
  add_tests(std::move(fresh), e.slot);
  std::vector<std::size_t>& tests = m_collect.collected[e.file];
  for (const std::string& id : order) {
    tests.push_back(m_index.at(id));
  }
  if (m_collect.listed_files.contains(e.file)) {
    --m_collect.remaining;
  }
  m_observer.total_changed(m_tracker.live());
  settle_listing();
  // A few files may hold many tests: enough now for more sandboxes.
  open_slots(sandboxes_for(std::max(m_tracker.live(), m_collect.uncollected.size())));
}

void RunLoop::settle_listing() {
  if (!m_collect.active || !m_in.pending || !(stopping() || (m_collect.listed && m_collect.remaining == 0))) {
    return;
  }
  m_in.pending = false;
  // The run's order: the listing's files, each in its collection order;
  // after an early stop, what was known of the rest.
  std::vector<std::size_t> order;
  std::vector<char> placed(m_in.tests.size(), 0);
  for (const std::string& file : m_collect.files) {
    const auto tests = m_collect.collected.find(file);
    if (tests == m_collect.collected.end()) {
      continue;
    }
    for (std::size_t t : tests->second) {
      if (!placed[t] && !m_tracker.withdrawn(t)) {
        placed[t] = 1;
        order.push_back(t);
      }
    }
  }
  for (std::size_t t : m_order) {
    if (!placed[t] && !m_tracker.withdrawn(t)) {
      if (!stopping()) {
        // Collected, but in no listed file: not a test of this run.
        withdraw_tests({t});
        continue;
      }
      placed[t] = 1;
      order.push_back(t);
    }
  }
  m_order = std::move(order);
  auto actions = std::move(m_deferred_actions);
  m_deferred_actions.clear();
  for (const auto& [action, slot] : actions) {
    apply(action, slot);
  }
  m_observer.total_changed(m_order.size());
}

void RunLoop::abandon_collection() {
  std::string what = std::to_string(m_collect.remaining) + " of the " + std::to_string(m_collect.files.size()) +
                     " listed test files were never collected: no sandbox was left to collect them";
  if (!m_last_sandbox_error.empty()) {
    what += " (last: " + m_last_sandbox_error + ")";
  }
  spdlog::warn("{}", what);
  m_out.problems.push_back(what);
  stop_with("no sandbox could run it: " + m_last_sandbox_error);
  settle_listing();
}

void RunLoop::ask_for_unreported() {
  if (!m_collect.active || !m_collect.listed || !m_in.pending || stopping() || m_collect.remaining == 0 ||
      !m_collect.uncollected.empty() || m_scheduler.has_queued() || m_scheduler.in_flight() > 0) {
    return;
  }
  for (const auto& [slot, files] : m_collect.asked) {
    if (!files.empty()) {
      return;
    }
  }
  // Nothing runs and nothing will make a worker collect these: ask for them.
  for (const std::string& file : m_collect.files) {
    if (!m_collect.collected.contains(file)) {
      m_collect.uncollected.push_back(file);
    }
  }
}

bool RunLoop::confirmed(std::size_t test) const {
  const auto& file = m_in.tests[test].file;
  return m_collect.active && file && m_collect.collected.contains(*file);
}

bool RunLoop::wants_to_collect(std::size_t slot) const {
  return m_collect.active && !m_collect.uncollected.empty() && !stopping() && !m_scheduler.has_work_for(slot);
}

std::string RunLoop::next_to_collect(std::size_t slot) {
  std::string file = std::move(m_collect.uncollected.front());
  m_collect.uncollected.pop_front();
  m_collect.asked[slot].push_back(file);
  return file;
}

void RunLoop::ask_to_collect(std::size_t slot) {
  Slot& s = m_slots[slot];
  if (s.sent.empty() && !owes_collection(slot)) {
    s.quiet_since = m_exec.now(); // an idle worker owes nothing until it is asked
  }
  m_exec.collect(slot, {next_to_collect(slot)});
}

bool RunLoop::owes_collection(std::size_t slot) const {
  const auto asked = m_collect.asked.find(slot);
  return asked != m_collect.asked.end() && !asked->second.empty();
}

void RunLoop::forget_asked(std::size_t slot) {
  auto& asked = m_collect.asked[slot];
  // Back to the front, in their order: they were next.
  for (auto it = asked.rbegin(); it != asked.rend(); ++it) {
    if (!m_collect.collected.contains(*it)) {
      m_collect.uncollected.push_front(std::move(*it));
    }
  }
  asked.clear();
}

void RunLoop::add_tests(std::vector<TestCase> fresh, std::optional<std::size_t> reserve_for) {
  if (fresh.empty()) {
    return;
  }
  const std::size_t first = m_in.tests.size();
  m_scheduler.add(scheduler_tests(fresh), reserve_for);
  const auto allowed = attempts_allowed(fresh);
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    m_index[fresh[i].id] = first + i;
    if (fresh[i].file) {
      m_tests_of_file[*fresh[i].file].push_back(first + i);
    }
    m_order.push_back(first + i);
    m_tracker.add(fresh[i], allowed[i]);
  }
  m_in.tests.insert(m_in.tests.end(), std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
  m_round.resize(m_in.tests.size(), 0);
}

void RunLoop::withdraw_tests(const std::vector<std::size_t>& tests) {
  std::vector<char> gone(m_in.tests.size(), 0);
  bool any = false;
  for (std::size_t t : tests) {
    if (!m_tracker.withdrawn(t)) {
      gone[t] = 1;
      any = true;
      m_tracker.withdraw(t);
      ++m_withdrawn;
    }
  }
  if (any) {
    m_scheduler.withdraw(gone);
  }
}

} // namespace offload::engine
