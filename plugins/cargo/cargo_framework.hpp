// SPDX-License-Identifier: MIT
#pragma once

#include "cargo_build.hpp"

#include <offload/plugin.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// The `cargo` framework: Rust tests, through cargo-nextest when it is
/// installed, else through the test binaries `cargo test` builds.
///
/// Without nextest, discovery builds every test binary once
/// (`cargo test --no-run`) and lists each one's tests; a batch then runs
/// those same binaries directly, with libtest's JSON events as results.
/// Test IDs are "<binary ID> <test name>" in both modes.
class CargoFramework {
public:
  /// Takes the checked [framework] section; throws sdk::Failure(OFFLOAD_EINVAL)
  /// naming the key whose value cannot work. Asks cargo whether nextest is there.
  CargoFramework(const offload_host_v1* host, std::string_view config_json);

  const offload_host_v1* host() const noexcept { return m_host; }
  bool uses_nextest() const noexcept { return m_nextest; }

  std::string describe();
  void discover(std::string_view request, const offload_sink* tests, const offload_cancel* cancel);
  std::string build_command(std::string_view request);
  std::string convert_report(std::string_view data);
  std::string map_results(std::string_view request);

private:
  /// The test binaries with their tests, built and listed by the first call.
  const std::vector<TestBinary>& built_binaries(const offload_cancel* cancel);
  void build_and_list(const offload_cancel* cancel);
  std::vector<std::string> discover_with_nextest(const std::string& filters, const std::string& what,
                                                 const offload_cancel* cancel);
  std::string libtest_script(const std::vector<std::string>& tests, const std::string& result_file,
                             bool fail_fast);
  /// `cargo test --doc -p <package> [--features ...] --` for a doctest binary.
  std::vector<std::string> doctest_args(const TestBinary& doctests) const;
  TestBinary list_doctests(const TestBinary& library, const offload_cancel* cancel) const;
  /// The batch script lines that run `names` of one package's doctests.
  std::string doctest_step(const TestBinary& doctests, const std::vector<std::string>& names) const;
  std::string nextest_script(const std::vector<std::string>& tests, const std::string& result_file,
                             bool fail_fast) const;
  /// `-p PACKAGE` and `--features A,B`, as configured.
  std::vector<std::string> selection_args() const;
  /// A process spec for `cargo ARGS...` in working_dir.
  std::string cargo_spec(const std::vector<std::string>& args) const;
  /// `path` relative to the working directory when inside it, for scripts
  /// that start there; else absolute.
  std::string script_path(const std::string& path) const;

  const offload_host_v1* m_host;
  std::vector<std::string> m_cargo;
  std::optional<std::string> m_package;
  std::vector<std::string> m_features;
  bool m_include_ignored = false;
  std::optional<std::string> m_working_dir;
  std::filesystem::path m_base; ///< working_dir made absolute at creation
  bool m_nextest = false;

  std::mutex m_mutex; ///< guards what follows; discovery of several groups runs concurrently
  bool m_built = false;
  std::optional<std::string> m_build_error;
  std::vector<TestBinary> m_binaries;
  std::map<std::string, std::size_t, std::less<>> m_by_id;
};

} // namespace offload::plugins
