// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace offload::plugins {

/// `words` joined by `separator`.
std::string join(const std::vector<std::string>& words, std::string_view separator);

/// The line of a failed cargo's stderr that says why: its first "error"
/// line, else its last non-empty line.
std::string cargo_reason(const std::vector<std::string>& lines);

/// `text` split into shell words; a quoting mistake is reported as `what`'s
/// (and blamed on config `key`, if any).
std::vector<std::string> shell_words(std::string_view text, const std::string& what, const std::string& key = {});

/// Runs a process through the host and returns its exit status; a failure
/// to run it throws sdk::Failure with a message naming `what`.
int32_t run(const offload_host_v1* host, const nlohmann::json& spec, sdk::Collector& output,
            const offload_cancel* cancel, const std::string& what);

/// The IDs of a batch ("<binary ID> <test>"), grouped by binary ID in order
/// of first appearance.
std::vector<std::pair<std::string, std::vector<std::string>>> by_binary(const std::vector<std::string>& ids);

} // namespace offload::plugins
