// SPDX-License-Identifier: MIT
#include "engine/discovery.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>

#include <atomic>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace offload::engine {

Result<std::vector<TestCase>> discover(const plugin::Framework& framework, const std::vector<config::Group>& groups,
                                       std::size_t parallel, const process::CancelToken& cancel) {
  using Found = std::optional<Result<std::vector<plugin::DiscoveredTest>>>;
  std::vector<Found> found(groups.size());
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t g = next++; g < groups.size(); g = next++) {
      found[g] = framework.discover(groups[g].name, groups[g].filters, cancel);
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
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (!found[g]->ok()) {
      return found[g]->error();
    }
    std::unordered_set<std::string> in_group;
    for (auto& t : found[g]->value()) {
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
