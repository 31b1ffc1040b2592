// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace offload::plugins {

/// The executable files the `binaries` patterns (paths or shell globs)
/// name, in pattern order, each once. Relative patterns are taken from
/// `working_dir` (empty: the current directory) and their matches stay
/// relative to it, with "./" before a bare file name so no shell or exec
/// looks it up in PATH. Throws sdk::Failure(OFFLOAD_ENOENT) naming the
/// `binaries` key for a pattern that matches no executable file.
std::vector<std::string> expand_binaries(const std::vector<std::string>& patterns, const std::string& working_dir);

} // namespace offload::plugins
