// SPDX-License-Identifier: MIT
#pragma once

#include "process/unique_fd.hpp"
#include "util/result.hpp"

#include <filesystem>
#include <string>

namespace offload::engine {

/// The output directory, locked for one run: a second run on the same
/// directory fails at once instead of mixing its logs into this one's.
/// The lock goes with this object (or with the process).
class OutputDir {
public:
  explicit OutputDir(process::UniqueFd lock) : m_lock(std::move(lock)) {}

private:
  process::UniqueFd m_lock;
};

/// Locks the output directory (creating it), then clears what offload's
/// previous run left there — only what its manifest (.offload-manifest)
/// says offload wrote, so an output_dir shared with the project (".")
/// never loses the project's own logs/ or results/. An entry offload would
/// write that is there but not offload's is an error, not overwritten. The
/// previous junit.xml and the duration history stay: the new run is
/// scheduled with them. `junit_file` is the report's name in the directory.
Result<OutputDir> prepare_output_dir(const std::filesystem::path& dir, const std::string& junit_file);

} // namespace offload::engine
