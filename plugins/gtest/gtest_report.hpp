// SPDX-License-Identifier: MIT
#pragma once

#include "junit_xml.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// The line a batch script writes to its result file before the JSON report
/// (`--gtest_output=json:...`) of one binary. `prefix` is the binary's part
/// of the test IDs; empty when the tests come from a single binary.
std::string part_marker(std::string_view prefix);

/// JUnit suites from a batch's result file: each part_marker line followed
/// by that binary's gtest JSON report. A case's classname is its gtest
/// suite, after the binary's prefix and a space when there is one, so
/// classname + "." + name is the test ID. A part that is missing or cut
/// short (the binary crashed) yields nothing, so the host looks at those
/// tests again. Skipped (GTEST_SKIP) and disabled tests come out skipped.
std::vector<JUnitSuite> parse_gtest_results(std::string_view data);

} // namespace offload::plugins
