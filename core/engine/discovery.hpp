// SPDX-License-Identifier: MIT
#pragma once

#include "config/config.hpp"
#include "model/test_model.hpp"
#include "plugin/instance.hpp"
#include "process/cancel.hpp"

#include <string>
#include <vector>

namespace offload::engine {

/// Discovers every group's tests, up to `parallel` groups at a time (0 = one
/// per CPU), and returns them in group order. A test selected by two groups
/// is an error naming both, so no test runs twice under different rules.
/// Discovery still running after `timeout_secs` is stopped and is an error.
/// `files_only`: a framework with worker discovery may answer with files
/// to collect instead of tests (TestCase with an empty `id`, see
/// is_file_listing).
Result<std::vector<TestCase>> discover(const plugin::Framework& framework, const std::vector<config::Group>& groups,
                                       std::size_t parallel, const process::CancelToken& cancel,
                                       double timeout_secs, bool files_only = false);

/// Whether discovery answered with files for the workers to collect.
inline bool is_file_listing(const std::vector<TestCase>& found) {
  return !found.empty() && found.front().id.empty();
}

/// Names what discovery's answer depends on besides the project's files:
/// the framework and its settings, the groups and their filters, and the
/// directory offload runs in. Equal fingerprints list the same tests unless
/// files changed, so a run may start on the last run's list meanwhile.
std::string discovery_fingerprint(const config::Config& config);

} // namespace offload::engine
