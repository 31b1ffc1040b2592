// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// One test executable cargo built, with the tests it holds.
struct TestBinary {
  /// nextest's name for it: "<package>" for a library's unit tests,
  /// "<package>::<target>" for an integration test, "<package>::<kind>/<target>"
  /// for any other target (e.g. "<package>::bin/<name>").
  std::string binary_id;
  std::string kind;        ///< "lib" for every library kind, else cargo's target kind
  std::string target_name;
  std::string executable;  ///< absolute path
  std::string package_dir; ///< absolute; cargo runs a package's tests there
  std::vector<std::string> tests;
};

/// The package name inside a cargo package ID, in both the old
/// ("name 1.0.0 (source)") and the package-ID-spec ("url#name@1.0.0") forms.
std::string package_name(std::string_view package_id);

/// The binary ID of a target (see TestBinary::binary_id).
std::string binary_id(std::string_view package, std::string_view kind, std::string_view target);

struct TestArtifacts {
  std::vector<TestBinary> binaries; ///< in the order cargo reported them
  /// Integration test targets built without libtest (`harness = false`):
  /// they cannot list or select tests, so they are not run.
  std::vector<std::string> without_harness;
};

/// The test executables in the JSON messages of
/// `cargo test --no-run --message-format=json`, one message per line.
/// Lines that are not compiler-artifact messages are skipped.
TestArtifacts parse_test_artifacts(const std::vector<std::string>& lines);

/// The test names in the output of `<test binary> --list --format terse`
/// ("name: test" lines; benchmarks and other lines are skipped).
std::vector<std::string> parse_test_list(const std::vector<std::string>& lines);

} // namespace offload::plugins
