// SPDX-License-Identifier: MIT
#pragma once

#include "config/config.hpp"
#include "model/test_model.hpp"
#include "util/result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::engine {

/// Recent durations per test ID, kept in the output directory between runs
/// (offload-history.json), so a run is scheduled with what earlier runs
/// measured. When no history exists yet, the previous junit.xml seeds it.
class History {
public:
  static constexpr std::size_t k_samples = 10; ///< durations kept per test
  static constexpr const char* k_file_name = "offload-history.json";

  /// Reads `dir/offload-history.json`, else the durations in `fallback_junit`.
  /// A damaged history file is ignored with a warning, never fatal.
  static History load(const std::filesystem::path& dir, const std::filesystem::path& fallback_junit);

  /// The median of the recent durations of `id`, or nullopt when unknown.
  std::optional<double> estimate(const std::string& id) const;
  void add(const std::string& id, double secs);
  /// Written to a temporary file, then renamed over the old one.
  Status save(const std::filesystem::path& dir) const;

  /// What starting a batch costs beyond its tests (process start-up,
  /// collection), as the last run measured it.
  std::optional<double> batch_overhead() const { return m_overhead; }
  void set_batch_overhead(double secs) { m_overhead = secs; }

  /// Keeps the tests a run discovered (by group name) with the fingerprint
  /// of what discovery depended on, so the next run can start on them.
  void set_listing(std::string fingerprint, const std::vector<TestRecord>& tests,
                   const std::vector<config::Group>& groups);
  /// The last run's tests when its fingerprint is `fingerprint` and each of
  /// its groups still exists; empty otherwise.
  std::vector<TestCase> listing(const std::string& fingerprint, const std::vector<config::Group>& groups) const;

  /// The ID of the last run's test that junit.xml names so (group is the
  /// testcase's `group`, classname and name its own), whatever the fingerprint.
  std::optional<std::string> id_of(std::string_view group, std::string_view classname, std::string_view name) const;

  std::size_t size() const { return m_samples.size(); }
  /// Where the durations came from: "history", "junit.xml" or "nothing".
  const std::string& source() const { return m_source; }

private:
  void read_listing(const nlohmann::json& doc);

  std::map<std::string, std::vector<double>> m_samples; ///< oldest first
  std::optional<double> m_overhead;
  struct Listed {
    std::string id;
    std::string group;
    std::optional<std::string> file;
    std::string classname;
    std::string name;
  };
  std::string m_listing_fingerprint;
  std::vector<Listed> m_listing;
  std::string m_source = "nothing";
};

} // namespace offload::engine
