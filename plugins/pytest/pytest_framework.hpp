// SPDX-License-Identifier: MIT
#pragma once

#include "pytest_options.hpp"
#include "temp_dir.hpp"
#include "worker_script.hpp"

#include <offload/plugin.h>

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// The `pytest` framework: lists tests with `pytest --collect-only` and
/// runs a batch through the bundled pytest plugin (offload_pytest.py), which
/// reads the batch's node IDs from a file and writes each one, unchanged, as
/// its JUnit testcase name.
class PytestFramework {
public:
  /// Takes the checked [framework] section and resolves the bundled plugin;
  /// throws sdk::Failure naming the key whose value cannot work.
  PytestFramework(const offload_host_v1* host, std::string_view config_json);

  const offload_host_v1* host() const noexcept { return m_host; }

  std::string describe();
  void discover(std::string_view request, const offload_sink* tests, const offload_cancel* cancel);
  std::string build_command(std::string_view request);
  std::string map_results(std::string_view request);
  /// ABI 1.1: the command of a persistent worker (offload_pytest_worker.py).
  std::string build_worker_command(std::string_view request);

  /// The discovery argv for a group's filters (shell words, e.g. -m 'not slow').
  std::vector<std::string> discover_argv(const std::string& filters) const;

private:
  const offload_host_v1* m_host;
  PytestOptions m_options;
  std::string m_plugin_source; ///< offload_pytest.py, written into each batch's scratch dir
  WorkerSources m_worker_sources; ///< written into each worker's scratch dir
  std::string m_plugin_dir;    ///< where offload_pytest.py is on this machine, for discovery
  std::mutex m_fork_dir_mutex; ///< workers' commands are built on their sandboxes' threads
  std::optional<TempDir> m_fork_dir;

  /// The run's private directory for fork servers, made on first use; none
  /// without fork_workers.
  std::optional<std::string> fork_dir();
};

} // namespace offload::plugins
