// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace offload::plugin_support {

/// Quotes `word` for a POSIX shell so that it reads back as exactly one word
/// with the same bytes. Words made only of harmless characters stay as they
/// are; everything else goes in single quotes, each ' written as '\''.
std::string shell_quote(std::string_view word);

/// The words quoted with shell_quote, separated by single spaces.
std::string shell_join(const std::vector<std::string>& words);

/// One shell command line for a command JSON of plugin.h: {"argv": [...]}
/// becomes its quoted words, {"shell": "..."} is taken as it is. Throws
/// sdk::Failure(OFFLOAD_EINVAL) for anything else.
std::string command_to_shell(const nlohmann::json& command);

} // namespace offload::plugin_support
