// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// Test IDs ("<binary-id> <test name>") in the output of
/// `cargo nextest list --message-format json`: the tests whose filter-match
/// status is "matches" (or that carry no filter-match at all). Throws
/// sdk::Failure(OFFLOAD_EIO) when the output is not such a listing.
std::vector<std::string> parse_nextest_list(std::string_view json);

/// A nextest filterset (`-E`) that selects exactly the tests with these IDs.
std::string nextest_filterset(const std::vector<std::string>& ids);

/// A nextest configuration file whose default profile writes JUnit XML to
/// `result_file`.
std::string nextest_junit_config(std::string_view result_file);

} // namespace offload::plugins
