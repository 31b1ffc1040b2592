// SPDX-License-Identifier: MIT
#pragma once

#include "util/result.hpp"

#include <offload/plugin.h>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace offload::config {

/// Where something is written in a config file.
struct Position {
  std::string file;
  int line = 0; ///< 1-based; 0 when unknown
};

/// "offload.toml:12" (or just the file when the line is unknown).
std::string to_string(const Position& pos);

/// A [provider] or [framework] table: its `type` and everything else, left
/// for the plugin of that type to check (see check_plugin_section).
struct PluginSection {
  std::string name;   ///< "provider" or "framework"
  std::string type;
  nlohmann::json values = nlohmann::json::object(); ///< the table without "type"; ${VAR} expanded
  Position header;    ///< the [table] line
  std::map<std::string, Position> keys; ///< where each key of `values` is written

  /// Position of `key`, or of the table header when the key is absent.
  Position where(const std::string& key) const;
};

struct OffloadSettings {
  int64_t max_parallel = 10;
  int64_t test_timeout_secs = 900; ///< a batch's (batch frameworks)
  /// One test's, in a persistent worker: over it, the worker is killed and
  /// the test has timed out.
  int64_t per_test_timeout_secs = 300;
  /// Run tests in one long-lived worker per sandbox where the framework
  /// and provider can (ABI 1.1). Off by default until the pytest worker
  /// knows doctests and modules that skip at import; false keeps batches.
  bool persistent_workers = true;
  std::optional<std::string> working_dir;
  std::optional<std::string> sandbox_project_root;
  /// When the queue is empty, run tests still in flight again on idle
  /// sandboxes; the first result wins.
  bool impatiently_requeue_batches = true;
  /// Start on the last run's test list while discovery runs.
  bool start_before_discovery = true;
  int64_t max_parallel_collection = 0; ///< 0 = one per CPU
  int64_t discovery_timeout_secs = 1800; ///< for the whole of discovery
};

struct Group {
  std::string name;
  int64_t retry_count = 0;
  std::string filters;
  bool schedule_individual = false; ///< each test in a batch of its own
  bool hedge = true; ///< false: its tests never run as a second copy (not idempotent)
  Position position;
};

struct ReportSettings {
  std::string output_dir = "test-results";
  bool junit = true;
  std::string junit_file = "junit.xml";
};

struct Config {
  std::string path; ///< the file as named by the user
  OffloadSettings offload;
  PluginSection provider;
  PluginSection framework;
  std::vector<Group> groups; ///< in file order
  ReportSettings report;
};

/// A config is a few kilobytes; anything this large is the wrong file
/// (`-c /dev/zero`), refused before it can exhaust memory.
inline constexpr std::size_t k_max_config_bytes = std::size_t{4} << 20;

/// Reads, expands and checks a config file (everything but the plugin sections'
/// contents). Errors are one line: "FILE:LINE: what is wrong; what was expected".
Result<Config> load(const std::string& path);

/// Same as load, for text already in memory; `name` is used in messages.
Result<Config> parse(std::string_view text, const std::string& name);

/// Checks a plugin section against the option table of the factory that
/// handles its type: unknown keys (with a suggestion), types, required keys.
/// Returns the section as JSON with defaults filled in, ready for `create`.
Result<nlohmann::json> check_plugin_section(const PluginSection& section,
                                            std::span<const offload_option> options);

/// Expands ${VAR} and ${VAR:-default} in `text`; "$$" is a literal "$" and a
/// "$" not followed by "{" or "$" stays as it is. Error for an unset ${VAR},
/// "${}" or an unclosed "${".
Result<std::string> expand_env(std::string_view text);

/// The candidate closest to `word` when it is close enough to be a typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

} // namespace offload::config
