// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugin_support {

/// One JUnit testcase the host asks a framework to name.
struct ResultCase {
  std::string name;
  std::string classname;
};

/// A map_results request: the batch that ran and the testcases it reported.
struct MapResultsRequest {
  std::vector<std::string> tests;
  std::vector<ResultCase> cases;
};

/// Reads a map_results request; throws sdk::Failure(OFFLOAD_EINVAL) when it
/// is malformed.
MapResultsRequest read_map_results_request(std::string_view request);

/// Answers a map_results request for runners whose test ID is the case's
/// classname, `separator`, then its name, matched exactly against the batch.
std::string map_joined_names(std::string_view request, std::string_view separator);

/// The answer to a map_results request: a JSON array with each case's test
/// ID, or null where a case matches none.
std::string map_results_answer(const std::vector<std::optional<std::string>>& ids);

} // namespace offload::plugin_support
