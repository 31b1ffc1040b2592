// SPDX-License-Identifier: MIT
#pragma once

#include "model/test_model.hpp"
#include "util/result.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace offload::report {

/// The <testsuite> of results that match no discovered test.
inline constexpr std::string_view k_unmatched_suite = "unmatched results";

/// One <testcase> as a runner wrote it.
struct JUnitCase {
  enum class Kind { Passed, Failed, Error, Skipped };
  std::string name;
  std::string classname;
  double time_secs = 0.0;
  Kind kind = Kind::Passed;
  std::string message; ///< message attribute of failure/error/skipped
  std::string details; ///< text of failure/error
  std::string system_out;
  std::string system_err;
};

/// Parses a runner's JUnit XML: a <testsuites> or <testsuite> root, suites
/// nested at any depth. Entities are decoded. Error: one line naming the
/// problem (e.g. "not XML: ... at line 3").
Result<std::vector<JUnitCase>> parse_junit(std::string_view xml);

/// What the run was, for the report's top-level attributes.
struct RunInfo {
  std::string name = "offload";
  double wall_secs = 0.0;
  std::string timestamp; ///< ISO 8601, local time, seconds precision
  std::string hostname;
};

/// Writes the run's report: one <testsuite> per group (in `group_names`
/// order) under <testsuites>, one <testcase> per discovered test, named
/// as the framework's own JUnit names it (TestCase::classname and name), or
/// name="<test ID>" classname="<group>" when the framework gave no names;
/// its group="<group>" either way. Retries follow the Surefire
/// convention: a flaky test carries flakyFailure/flakyError for its failed
/// attempts; a failed test carries failure/error for its last attempt and
/// rerunFailure/rerunError for the earlier ones; a skipped test <skipped/>;
/// a test that never ran <error type="not-run" message="<reason>"/>. Results
/// matching no discovered test go to a suite named "unmatched results".
/// Every <testsuite> validates against surefire-test-report-3.0.xsd.
/// Written to a temporary file in the same directory, then renamed.
Status write_junit(const std::filesystem::path& path,
                   const std::vector<TestRecord>& records,
                   const std::vector<std::string>& group_names,
                   const std::vector<StrayResult>& strays, const RunInfo& info);

/// Test ID -> duration (seconds) from a report written by write_junit: the
/// time of each <testcase> by its name (the test ID for frameworks that give
/// no JUnit names; for the others the history file is what seeds estimates). Missing or unreadable file: empty map.
std::map<std::string, double> read_durations(const std::filesystem::path& path);

} // namespace offload::report
