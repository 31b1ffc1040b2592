// SPDX-License-Identifier: MIT
// The static policy (the original tool's): one LPT batch per sandbox, every
// retry scheduled up front as another instance.
#include "engine/scheduler.hpp"
#include "engine/scheduler_limits.hpp"

#include <algorithm>

namespace offload::engine {

void Scheduler::build_static_batches() {
  // Longest-processing-time first over every instance, never two instances
  // of one test in a batch, each batch within the command-line budget.
  struct Instance {
    std::size_t test;
    double secs;
  };
  std::vector<Instance> instances;
  for (std::size_t t = 0; t < m_tests.size(); ++t) {
    const std::size_t n = t < m_opt.static_instances.size() ? std::max<std::size_t>(1, m_opt.static_instances[t]) : 1;
    for (std::size_t i = 0; i < n; ++i) {
      if (m_tests[t].alone) {
        m_static.push_back({t});
      } else {
        instances.push_back({t, estimate(t)});
      }
    }
  }
  std::stable_sort(instances.begin(), instances.end(),
                   [](const Instance& a, const Instance& b) { return a.secs > b.secs; });
  struct Bin {
    std::vector<std::size_t> tests;
    double load = 0.0;
    std::size_t chars = 0;
  };
  std::vector<Bin> bins(std::min(m_opt.sandboxes, instances.size()));
  for (const auto& inst : instances) {
    const std::size_t c = m_tests[inst.test].id_chars + k_per_id_chars;
    Bin* best = nullptr;
    for (auto& bin : bins) {
      const bool fits = bin.tests.empty() || bin.chars + c <= m_opt.max_command_chars;
      const bool has = std::find(bin.tests.begin(), bin.tests.end(), inst.test) != bin.tests.end();
      if (fits && !has && (best == nullptr || bin.load < best->load)) {
        best = &bin;
      }
    }
    if (best == nullptr) {
      best = &bins.emplace_back();
    }
    best->tests.push_back(inst.test);
    best->load += inst.secs;
    best->chars += c;
  }
  std::stable_sort(bins.begin(), bins.end(), [](const Bin& a, const Bin& b) { return a.load > b.load; });
  for (auto& bin : bins) {
    if (!bin.tests.empty()) {
      m_static.push_back(std::move(bin.tests));
    }
  }
}

} // namespace offload::engine
