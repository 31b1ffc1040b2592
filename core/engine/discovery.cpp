// SPDX-License-Identifier: MIT
#include "engine/discovery.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace offload::engine {

namespace {

/// Cancels a child of the run's token once the timeout passes.
class Deadline {
public:
  Deadline(const process::CancelToken& parent, double secs) : m_token(parent.child()) {
    m_thread = std::thread([this, secs] {
      std::unique_lock lock(m_mutex);
      if (!m_cv.wait_for(lock, std::chrono::duration<double>(secs), [this] { return m_done; })) {
        m_expired = true;
        m_token.cancel();
      }
    });
  }
  ~Deadline() {
    {
      const std::lock_guard lock(m_mutex);
      m_done = true;
    }
    m_cv.notify_one();
    m_thread.join();
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  const process::CancelToken& token() const { return m_token; }
  bool expired() {
    const std::lock_guard lock(m_mutex);
    return m_expired;
  }

private:
  process::CancelToken m_token;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_done = false;
  bool m_expired = false;
  std::thread m_thread;
};

} // namespace

Result<std::vector<TestCase>> discover(const plugin::Framework& framework, const std::vector<config::Group>& groups,
                                       std::size_t parallel, const process::CancelToken& cancel,
                                       double timeout_secs, bool files_only) {
  using Found = std::optional<Result<std::vector<plugin::DiscoveredTest>>>;
  std::vector<Found> found(groups.size());
  std::atomic<std::size_t> next{0};
  Deadline deadline(cancel, timeout_secs);
  const auto work = [&] {
    for (std::size_t g = next++; g < groups.size(); g = next++) {
      found[g] = framework.discover(groups[g].name, groups[g].filters, deadline.token(), files_only);
    }
  };
  if (parallel == 0) {
    parallel = std::max(1u, std::thread::hardware_concurrency());
  }
  const std::size_t threads = std::min(parallel, groups.size());
  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < threads; ++i) {
    pool.emplace_back(work);
  }
  work();
  for (auto& t : pool) {
    t.join();
  }

  std::vector<TestCase> tests;
  std::unordered_map<std::string, std::size_t> group_of;
  if (deadline.expired() && !cancel.cancelled()) {
    return make_error("discovery took longer than ", std::to_string(static_cast<long long>(timeout_secs)),
                      " s and was stopped (offload.discovery_timeout_secs)");
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (!found[g]->ok()) {
      return found[g]->error();
    }
    std::unordered_set<std::string> in_group;
    std::unordered_set<std::string> files;
    for (auto& t : found[g]->value()) {
      if (t.id.empty()) {
        // A file to collect (files_only): the workers will list its tests.
        if (files.insert(t.file.value_or("")).second) {
          tests.push_back(TestCase{{}, g, std::move(t.file), {}, {}});
        }
        continue;
      }
      if (!in_group.insert(t.id).second) {
        continue;
      }
      if (auto [it, fresh] = group_of.emplace(t.id, g); !fresh) {
        return make_error("test '", t.id, "' is selected by both group '", groups[it->second].name, "' (",
                          config::to_string(groups[it->second].position), ") and group '", groups[g].name, "' (",
                          config::to_string(groups[g].position),
                          "); make the groups' filters exclusive so each test has one set of rules");
      }
      tests.push_back(TestCase{std::move(t.id), g, std::move(t.file), std::move(t.classname), std::move(t.name)});
    }
  }
  return tests;
}

std::string discovery_fingerprint(const config::Config& config) {
  nlohmann::json inputs{
      {"framework", config.framework.type},
      {"settings", config.framework.values},
      {"working_dir", config.offload.working_dir.value_or("")},
      {"cwd", std::filesystem::current_path().string()},
  };
  for (const auto& g : config.groups) {
    inputs["groups"].push_back({g.name, g.filters});
  }
  // FNV-1a: stable across builds, unlike std::hash.
  std::uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : inputs.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) {
    hash = (hash ^ c) * 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

} // namespace offload::engine
