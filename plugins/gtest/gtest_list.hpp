// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// The full names ("Suite.Name") in the output of `--gtest_list_tests`:
/// suite lines end with "." and test lines are indented; the comments gtest
/// adds to typed and value-parametrized tests ("  # TypeParam = int",
/// "  # GetParam() = 4") are dropped. Disabled tests (DISABLED_ suite or
/// test) are left out unless `include_disabled`; other lines (a custom
/// main's greeting) are skipped.
std::vector<std::string> parse_gtest_list(const std::vector<std::string>& lines, bool include_disabled);

/// Whether --gtest_filter can select `full_name` exactly: it must not hold
/// the filter's separators ':' and '-' or white space.
bool is_filterable(std::string_view full_name);

} // namespace offload::plugins
