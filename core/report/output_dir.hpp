// SPDX-License-Identifier: MIT
#pragma once

#include "util/result.hpp"

#include <filesystem>

namespace offload::report {

/// Creates the output directory and clears what the previous run left in
/// it (logs/, results/, trace.json, timeline.svg, run-stats.json). The previous junit.xml
/// and the duration history stay: the new run is scheduled with them.
Status prepare_output_dir(const std::filesystem::path& dir);

} // namespace offload::report
