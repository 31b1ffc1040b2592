// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace offload::plugins {

/// The `gtest` framework: GoogleTest binaries that are already built.
///
/// A test's ID is its gtest full name "Suite.Name" (typed and parametrized
/// ones included, e.g. "Evens/Par.Even/1"). When `binaries` names several
/// executables, the ID starts with the binary's file name and a space
/// ("math_test Suite.Name"); gtest names never hold a space. A batch runs
/// each of its binaries once, with --gtest_filter naming its tests and
/// gtest's JSON report going to the result file, which convert_report turns
/// into JUnit.
class GTestFramework {
public:
  /// Takes the checked [framework] section; throws sdk::Failure(OFFLOAD_EINVAL)
  /// naming the key whose value cannot work. Binaries are looked for at
  /// discovery, so a configuration validates before they are built.
  GTestFramework(const offload_host_v1* host, std::string_view config_json);

  const offload_host_v1* host() const noexcept { return m_host; }

  std::string describe();
  void discover(std::string_view request, const offload_sink* tests, const offload_cancel* cancel);
  std::string build_command(std::string_view request);
  std::string convert_report(std::string_view data);
  std::string map_results(std::string_view request);

private:
  struct Binary {
    std::string path;   ///< as the scripts run it, relative to working_dir when matched so
    std::string prefix; ///< the binary's part of its tests' IDs; empty with a single binary
  };

  /// The binaries `binaries` matches, found by the first call.
  const std::vector<Binary>& binaries();
  /// (binary index, gtest full name) of a test ID.
  std::pair<std::size_t, std::string> split_id(const std::string& id);
  std::vector<std::string> list_tests(const Binary& binary, const std::string& filter, const offload_cancel* cancel);

  const offload_host_v1* m_host;
  std::vector<std::string> m_patterns;
  std::optional<std::string> m_working_dir;
  std::vector<std::string> m_extra_args;

  std::mutex m_mutex; ///< guards what follows; discovery of several groups runs concurrently
  std::optional<std::vector<Binary>> m_binaries;
  std::map<std::string, std::size_t, std::less<>> m_by_prefix;
};

} // namespace offload::plugins
