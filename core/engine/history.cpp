// SPDX-License-Identifier: MIT
#include "engine/history.hpp"

#include "report/junit.hpp"
#include "util/atomic_file.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>

namespace offload::engine {

History History::load(const std::filesystem::path& dir, const std::filesystem::path& fallback_junit) {
  History h;
  std::ifstream in(dir / k_file_name);
  if (in) {
    auto j = nlohmann::json::parse(in, nullptr, false);
    const auto durations = j.is_object() ? j.find("durations") : j.end();
    if (j.is_object() && durations != j.end() && durations->is_object()) {
      for (const auto& [id, list] : durations->items()) {
        if (!list.is_array()) {
          continue;
        }
        auto& samples = h.m_samples[id];
        for (const auto& d : list) {
          if (d.is_number() && d.get<double>() >= 0.0) {
            samples.push_back(d.get<double>());
          }
        }
      }
      if (auto o = j.find("batch_overhead_secs"); o != j.end() && o->is_number() && o->get<double>() >= 0.0) {
        h.m_overhead = o->get<double>();
      }
      h.m_source = "history";
      return h;
    }
    spdlog::warn("ignoring damaged {}: not the JSON offload writes", (dir / k_file_name).string());
  }
  for (const auto& [id, secs] : report::read_durations(fallback_junit)) {
    h.m_samples[id].push_back(secs);
  }
  if (!h.m_samples.empty()) {
    h.m_source = "junit.xml";
  }
  return h;
}

std::optional<double> History::estimate(const std::string& id) const {
  const auto it = m_samples.find(id);
  if (it == m_samples.end() || it->second.empty()) {
    return std::nullopt;
  }
  std::vector<double> sorted = it->second;
  std::sort(sorted.begin(), sorted.end());
  return sorted[sorted.size() / 2];
}

void History::add(const std::string& id, double secs) {
  auto& samples = m_samples[id];
  samples.push_back(secs);
  if (samples.size() > k_samples) {
    samples.erase(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(samples.size() - k_samples));
  }
}

Status History::save(const std::filesystem::path& dir) const {
  nlohmann::json durations = nlohmann::json::object();
  for (const auto& [id, samples] : m_samples) {
    durations[id] = samples;
  }
  nlohmann::json doc{{"version", 1}, {"durations", std::move(durations)}};
  if (m_overhead) {
    doc["batch_overhead_secs"] = *m_overhead;
  }
  return util::write_file_atomically(dir / k_file_name, doc.dump(1));
}

} // namespace offload::engine
