// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

namespace offload::plugins {

/// The `default` framework: tests are listed and run by shell commands the
/// user configures, so it works with any runner that can take test IDs on
/// its command line.
class DefaultFramework {
public:
  /// Takes the checked [framework] section; throws sdk::Failure(OFFLOAD_EINVAL)
  /// naming the key whose value cannot work.
  DefaultFramework(const offload_host_v1* host, std::string_view config_json);

  const offload_host_v1* host() const noexcept { return m_host; }

  std::string describe();
  void discover(std::string_view request, const offload_sink* tests, const offload_cancel* cancel);
  std::string build_command(std::string_view request);
  std::string map_results(std::string_view request);
  /// ABI 1.1: worker_command, run in working_dir; throws sdk::Failure(OFFLOAD_ENOTSUP) without one.
  std::string build_worker_command(std::string_view request);

  /// The discover_command line for a group's filters.
  std::string discover_script(const std::string& group, const std::string& filters) const;

private:
  /// Whether the runner leaves a JUnit file (at {result_file} or result_file).
  bool writes_junit() const;

  const offload_host_v1* m_host;
  std::string m_discover_command;
  std::string m_run_command;
  std::optional<std::string> m_result_file;
  std::optional<std::string> m_working_dir;
  std::optional<std::string> m_worker_command;
  std::string m_test_id_format;
  std::atomic<bool> m_fail_fast_noted{false};
};

} // namespace offload::plugins
