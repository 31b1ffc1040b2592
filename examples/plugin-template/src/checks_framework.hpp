// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.hpp>

#include <string>
#include <string_view>

namespace checks {

/// The "checks" framework: every executable file in one directory of the
/// project is a test, named by its file name; it passes when it exits 0.
/// One instance per run, called from several threads at once: it holds only
/// what `create` gave it, so it needs no lock.
class ChecksFramework {
public:
  /// `config` is the checked [framework] section as JSON: {"dir": "..."}.
  ChecksFramework(const offload_host_v1* host, std::string_view config);

  const offload_host_v1* host() const { return m_host; }
  std::string describe();
  void discover(std::string_view request, const offload_sink* tests, const offload_cancel* cancel);
  std::string build_command(std::string_view request);
  std::string map_results(std::string_view request);

private:
  const offload_host_v1* m_host;
  std::string m_dir;
};

} // namespace checks
