// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.hpp>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// The `vitest` framework: lists tests with `vitest list --json` (and those
/// skipped in the source, which it leaves out, from a run that runs none),
/// runs a batch with `vitest run --testNamePattern` and vitest's JUnit reporter.
/// Test IDs are "<file relative to the vitest root> > <describe>... > <test>".
class VitestFramework {
public:
  /// Takes the checked [framework] section; throws sdk::Failure naming the
  /// key whose value cannot work.
  VitestFramework(const offload_host_v1* host, std::string_view config_json);

  const offload_host_v1* host() const noexcept { return m_host; }

  std::string describe();
  void discover(std::string_view request, const offload_sink* tests, const offload_cancel* cancel);
  std::string build_command(std::string_view request);
  std::string convert_report(std::string_view data);
  std::string map_results(std::string_view request);

private:
  void discover_skipped(const std::vector<std::string>& filters, std::set<std::string>& seen,
                        const offload_sink* tests, const offload_cancel* cancel);
  static void emit_test(const offload_sink* tests, const std::string& file, const std::string& name);
  /// The directory vitest runs in, which test IDs' files are relative to.
  std::filesystem::path vitest_root() const;
  /// Runs the command with `args` for discovery; its exit status.
  int32_t run_vitest(const std::vector<std::string>& args, sdk::Collector& output, const offload_cancel* cancel) const;

  const offload_host_v1* m_host;
  std::vector<std::string> m_command;
  std::vector<std::string> m_vitest_args;
  std::vector<std::string> m_run_args;
  std::optional<std::string> m_working_dir;
};

} // namespace offload::plugins
