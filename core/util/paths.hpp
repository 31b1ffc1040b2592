// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace offload::util {

/// Directory of the running executable (from /proc/self/exe).
std::filesystem::path executable_dir();

/// Value of an environment variable, ignored in setuid/setgid processes.
std::optional<std::string> env(const char* name);

/// Splits a colon-separated list, dropping empty entries.
std::vector<std::string> split_path_list(const std::string& list);

} // namespace offload::util
