// SPDX-License-Identifier: MIT
#pragma once

#include "model/spans.hpp"
#include "util/result.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace offload::report {

/// timeline.svg: one row per sandbox, each batch a bar colored by outcome
/// (with a <title> tooltip: batch, tests, duration), a time axis, a legend.
Status write_timeline_svg(const std::filesystem::path& path, std::size_t sandbox_count,
                          const std::vector<BatchSpan>& batches, double wall_secs);

/// trace.json: Chrome trace events (the JSON array format Perfetto opens),
/// one process track per sandbox plus one for offload itself.
Status write_trace(const std::filesystem::path& path, std::size_t sandbox_count,
                   const std::vector<BatchSpan>& batches, const std::vector<PhaseSpan>& phases);

} // namespace offload::report
