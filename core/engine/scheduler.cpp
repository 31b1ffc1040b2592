// SPDX-License-Identifier: MIT
#include "engine/scheduler.hpp"
#include "engine/scheduler_limits.hpp"

#include <algorithm>
#include <numeric>

namespace offload::engine {

Scheduler::Scheduler(std::vector<SchedTest> tests, SchedulerOptions options)
    : m_tests(std::move(tests)), m_opt(std::move(options)), m_overhead(m_opt.initial_overhead_secs) {
  m_opt.sandboxes = std::max<std::size_t>(1, m_opt.sandboxes);
  std::size_t groups = 0;
  for (const auto& t : m_tests) {
    groups = std::max(groups, t.group + 1);
  }
  m_group_sum.assign(groups, 0.0);
  m_group_count.assign(groups, 0);
  m_queued_unknown.assign(groups, 0);
  m_queued_copies.assign(m_tests.size(), 0);
  for (const auto& t : m_tests) {
    if (t.known_secs) {
      m_group_sum[t.group] += *t.known_secs;
      ++m_group_count[t.group];
    }
  }
  if (m_opt.policy == SchedulePolicy::Static) {
    build_static_batches();
    return;
  }
  std::vector<std::size_t> all(m_tests.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  queue(all);
  if (m_opt.max_batch_tests == 0 && !m_opt.stream_by_file) {
    plan_first_round();
  }
}

void Scheduler::queue(const std::vector<std::size_t>& tests, std::optional<std::size_t> reserve_for) {
  for (std::size_t t : tests) {
    account(t, +1);
  }
  if (m_opt.stream_by_file) {
    m_files.add(tests, [this](std::size_t t) { return m_tests[t].file; }, estimator(), reserve_for);
    return;
  }
  m_queue.insert(m_queue.end(), tests.begin(), tests.end());
  sort_longest_first(m_queue);
}


void Scheduler::sort_longest_first(std::deque<std::size_t>& tests) const {
  std::stable_sort(tests.begin(), tests.end(), [&](std::size_t a, std::size_t b) { return estimate(a) > estimate(b); });
}


void Scheduler::account(std::size_t test, int delta) {
  const auto& t = m_tests[test];
  m_queued_copies[test] = static_cast<uint32_t>(static_cast<int>(m_queued_copies[test]) + delta);
  if (t.known_secs) {
    m_queued_known_secs += delta * *t.known_secs;
  } else {
    m_queued_unknown[t.group] = static_cast<std::size_t>(static_cast<long>(m_queued_unknown[t.group]) + delta);
  }
}

void Scheduler::set_known(std::size_t test, double secs) {
  // A test can be queued while a copy of it reports (an isolation re-run
  // queued behind a hedged twin); its queued copies move to the known sum.
  const uint32_t copies = m_queued_copies[test];
  for (uint32_t i = 0; i < copies; ++i) {
    account(test, -1);
  }
  m_tests[test].known_secs = secs;
  for (uint32_t i = 0; i < copies; ++i) {
    account(test, +1);
  }
}

double Scheduler::group_default(std::size_t group) const {
  if (group < m_group_count.size() && m_group_count[group] > 0) {
    return m_group_sum[group] / static_cast<double>(m_group_count[group]);
  }
  return m_opt.default_test_secs;
}

double Scheduler::estimate(std::size_t test) const {
  const auto& t = m_tests[test];
  return t.known_secs ? *t.known_secs : group_default(t.group);
}

double Scheduler::queued_secs() const {
  double sum = m_queued_known_secs;
  for (std::size_t g = 0; g < m_queued_unknown.size(); ++g) {
    sum += static_cast<double>(m_queued_unknown[g]) * group_default(g);
  }
  return std::max(0.0, sum);
}

double Scheduler::fair_share_secs() const {
  double running = 0.0;
  for (const auto& [id, r] : m_running) {
    running += std::max(0.0, r.batch.start + expected_secs(r) - m_now);
  }
  return (queued_secs() + running) / static_cast<double>(m_opt.sandboxes);
}

double Scheduler::target_secs() const {
  const double fair = fair_share_secs();
  const double floor = m_opt.min_batch_overheads * m_overhead;
  // What a batch leaves of its fair share is run later as top-ups that each
  // cost a start-up; when that rest is smaller than a worthwhile batch, the
  // whole share goes now. Never beyond the fair share: past that, a sandbox
  // would sit idle while another works through the surplus.
  if ((1.0 - m_opt.share_per_batch) * fair < floor) {
    return fair;
  }
  return m_opt.share_per_batch * fair;
}

bool Scheduler::has_queued() const {
  return !m_front.empty() || !m_queue.empty() || !m_files.empty() || !m_static.empty() || !m_first_round.empty();
}

bool Scheduler::has_work_for(std::size_t sandbox) const {
  return !m_front.empty() || (m_opt.stream_by_file ? m_files.has_work_for(sandbox) : has_queued());
}

Batch Scheduler::start(std::size_t sandbox, std::vector<std::size_t> tests, double now, bool isolation) {
  Running r;
  r.known_secs = m_overhead;
  for (std::size_t t : tests) {
    const SchedTest& test = m_tests[t];
    r.no_hedge = r.no_hedge || test.no_hedge;
    if (test.known_secs) {
      r.known_secs += *test.known_secs;
      continue;
    }
    auto group = std::find_if(r.unknown.begin(), r.unknown.end(), [&](const auto& u) { return u.first == test.group; });
    if (group == r.unknown.end()) {
      r.unknown.emplace_back(test.group, 1);
    } else {
      ++group->second;
    }
  }
  Batch& b = r.batch;
  b.id = m_next_id++;
  b.sandbox = sandbox;
  b.estimate_secs = expected_secs(r);
  b.tests = std::move(tests);
  b.start = now;
  b.isolation = isolation;
  Batch out = b;
  m_running[out.id] = std::move(r);
  return out;
}

double Scheduler::expected_secs(const Running& r) const {
  double secs = r.known_secs;
  for (const auto& [group, tests] : r.unknown) {
    secs += static_cast<double>(tests) * group_default(group);
  }
  return secs;
}

std::optional<Batch> Scheduler::take(std::size_t sandbox, double now, bool fallback) {
  m_now = std::max(m_now, now);
  auto from_front = take_front(sandbox, false);
  if (!from_front && m_opt.policy == SchedulePolicy::Static && !m_static.empty()) {
    std::vector<std::size_t> tests = std::move(m_static.front());
    m_static.pop_front();
    return start(sandbox, std::move(tests), now, false);
  }
  if (!from_front && !m_first_round.empty()) {
    std::vector<std::size_t> tests = std::move(m_first_round.front());
    m_first_round.pop_front();
    for (std::size_t t : tests) {
      account(t, -1);
    }
    return start(sandbox, std::move(tests), now, false);
  }
  if (!from_front) {
    from_front = take_dynamic(sandbox);
  }
  if (!from_front && fallback) {
    // Better a retry on the sandbox it failed on than an idle sandbox.
    from_front = take_front(sandbox, true);
  }
  if (from_front) {
    Batch b = start(sandbox, std::move(from_front->tests), now, from_front->isolation);
    return b;
  }
  if (m_opt.hedge && m_opt.policy == SchedulePolicy::Dynamic) {
    return take_hedge(sandbox, now);
  }
  return std::nullopt;
}

std::optional<Batch> Scheduler::take_front(std::size_t sandbox, bool allow_avoided) {
  if (m_front.empty()) {
    return std::nullopt; // before target_secs(), which is O(running)
  }
  const double target = target_secs();
  std::vector<std::size_t> tests;
  std::size_t chars = 0;
  double load = 0.0;
  bool isolation = false;
  for (auto it = m_front.begin(); it != m_front.end();) {
    if (!allow_avoided && it->avoid == sandbox) {
      ++it;
      continue;
    }
    const bool alone = it->alone || m_tests[it->test].alone;
    const std::size_t c = m_tests[it->test].id_chars + k_per_id_chars;
    if (!tests.empty() && (alone || isolation || load + estimate(it->test) > target || full(tests) ||
                           chars + c > m_opt.max_command_chars ||
                           std::find(tests.begin(), tests.end(), it->test) != tests.end())) {
      break;
    }
    tests.push_back(it->test);
    chars += c;
    load += estimate(it->test);
    isolation = it->alone;
    account(it->test, -1);
    it = m_front.erase(it);
    if (alone) {
      break;
    }
  }
  if (tests.empty()) {
    return std::nullopt;
  }
  Batch b;
  b.tests = std::move(tests);
  b.isolation = isolation;
  return b;
}

std::optional<Batch> Scheduler::take_dynamic(std::size_t sandbox) {
  if (m_opt.stream_by_file) {
    const auto test = m_files.take(sandbox, estimator());
    if (!test) {
      return std::nullopt;
    }
    account(*test, -1);
    Batch b;
    b.tests = {*test};
    return b;
  }
  if (m_queue.empty()) {
    return std::nullopt;
  }
  const double target = target_secs();
  std::vector<std::size_t> tests;
  std::size_t chars = 0;
  double load = 0.0;
  while (!m_queue.empty()) {
    const std::size_t t = m_queue.front();
    const std::size_t c = m_tests[t].id_chars + k_per_id_chars;
    if (!tests.empty() &&
        (full(tests) || m_tests[t].alone || load + estimate(t) > target || chars + c > m_opt.max_command_chars)) {
      break;
    }
    tests.push_back(t);
    chars += c;
    load += estimate(t);
    m_queue.pop_front();
    account(t, -1);
    if (m_tests[t].alone) {
      break;
    }
  }
  Batch b;
  b.tests = std::move(tests);
  return b;
}

std::optional<Batch> Scheduler::take_hedge(std::size_t sandbox, double now) {
  // Copy the untouched-looking half of the batch expected to finish last:
  // runners work through a batch in order, so its second half is the part
  // most likely still ahead, and whichever copy reports a test first wins.
  // A copy costs a start-up and competes for the machine, so it is started
  // only where it is expected to finish first: the original's remaining
  // time exceeds what the copy needs, or the original is overdue by more
  // than a start-up (its estimate was wrong, so nothing else can be trusted).
  Running* best = nullptr;
  double best_remaining = 0.0;
  for (auto& [id, r] : m_running) {
    // One extra copy at most: never a copy of a copy, nor of a test whose
    // group must not run twice at once.
    if (r.duplicated || r.batch.duplicate_of || r.batch.sandbox == sandbox || r.batch.isolation || r.no_hedge) {
      continue;
    }
    const auto& tests = r.batch.tests;
    double copy_secs = m_overhead;
    for (std::size_t i = tests.size() / 2; i < tests.size(); ++i) {
      copy_secs += estimate(tests[i]);
    }
    const double expected = expected_secs(r);
    const double remaining = r.batch.start + expected - now;
    const bool overdue = now - r.batch.start > expected + m_overhead;
    const bool copy_wins = tests.size() > 1 && remaining > copy_secs;
    if ((copy_wins || overdue) && (best == nullptr || remaining > best_remaining)) {
      best = &r;
      best_remaining = remaining;
    }
  }
  if (best == nullptr) {
    return std::nullopt;
  }
  best->duplicated = true;
  const auto& src = best->batch.tests;
  std::vector<std::size_t> tests(src.begin() + static_cast<std::ptrdiff_t>(src.size() / 2), src.end());
  const std::size_t original = best->batch.id;
  Batch b = start(sandbox, std::move(tests), now, false);
  b.duplicate_of = original;
  m_running[b.id].batch.duplicate_of = original;
  return b;
}

void Scheduler::finished(const Batch& batch, const std::vector<std::pair<std::size_t, double>>& observed,
                         double wall_secs) {
  m_running.erase(batch.id);
  double reported = 0.0;
  for (const auto& [test, secs] : observed) {
    auto& t = m_tests[test];
    if (!t.known_secs) {
      m_group_sum[t.group] += secs;
      ++m_group_count[t.group];
    }
    set_known(test, secs);
    reported += secs;
  }
  // Time no test reported is start-up (process, imports, collection).
  if (!observed.empty() && wall_secs >= reported) {
    m_overhead = 0.7 * m_overhead + 0.3 * (wall_secs - reported);
  }
}

void Scheduler::retry(std::size_t test, std::optional<std::size_t> avoid) {
  m_front.push_front(FrontItem{test, avoid, false});
  account(test, +1);
}

void Scheduler::isolate(std::size_t test) {
  m_front.push_front(FrontItem{test, std::nullopt, true});
  account(test, +1);
}

std::vector<std::size_t> Scheduler::drain() {
  std::vector<std::size_t> out;
  for (const auto& f : m_front) {
    out.push_back(f.test);
  }
  out.insert(out.end(), m_queue.begin(), m_queue.end());
  const std::vector<std::size_t> files = m_files.drain();
  out.insert(out.end(), files.begin(), files.end());
  for (const auto& round : {&m_static, &m_first_round}) {
    for (const auto& b : *round) {
      out.insert(out.end(), b.begin(), b.end());
    }
  }
  m_front.clear();
  m_queue.clear();
  m_static.clear();
  m_first_round.clear();
  m_queued_known_secs = 0.0;
  std::fill(m_queued_unknown.begin(), m_queued_unknown.end(), 0);
  std::fill(m_queued_copies.begin(), m_queued_copies.end(), 0);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::size_t Scheduler::add(const std::vector<SchedTest>& tests, std::optional<std::size_t> reserve_for) {
  const std::size_t first = m_tests.size();
  for (const SchedTest& t : tests) {
    if (t.group >= m_group_sum.size()) {
      m_group_sum.resize(t.group + 1, 0.0);
      m_group_count.resize(t.group + 1, 0);
      m_queued_unknown.resize(t.group + 1, 0);
    }
    if (t.known_secs) {
      m_group_sum[t.group] += *t.known_secs;
      ++m_group_count[t.group];
    }
    m_tests.push_back(t);
    m_queued_copies.push_back(0);
  }
  std::vector<std::size_t> fresh(m_tests.size() - first);
  std::iota(fresh.begin(), fresh.end(), first);
  queue(fresh, reserve_for);
  return first;
}

void Scheduler::withdraw(const std::vector<char>& gone) {
  const auto is_gone = [&](std::size_t t) {
    if (t < gone.size() && gone[t]) {
      account(t, -1);
      return true;
    }
    return false;
  };
  std::erase_if(m_queue, is_gone);
  m_files.withdraw(is_gone, estimator());
  std::erase_if(m_front, [&](const FrontItem& f) { return is_gone(f.test); });
  for (auto* round : {&m_first_round, &m_static}) {
    for (auto& batch : *round) {
      std::erase_if(batch, is_gone);
    }
    std::erase_if(*round, [](const std::vector<std::size_t>& batch) { return batch.empty(); });
  }
}

std::vector<std::size_t> Scheduler::twins(std::size_t batch) const {
  std::vector<std::size_t> out;
  const auto self = m_running.find(batch);
  for (const auto& [id, r] : m_running) {
    if (id == batch) {
      continue;
    }
    const bool copy_of_me = r.batch.duplicate_of == batch;
    const bool my_original = self != m_running.end() && self->second.batch.duplicate_of == id;
    if (copy_of_me || my_original) {
      out.push_back(id);
    }
  }
  return out;
}


} // namespace offload::engine
