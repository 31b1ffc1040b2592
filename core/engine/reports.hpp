// SPDX-License-Identifier: MIT
#pragma once

#include "config/config.hpp"
#include "engine/history.hpp"
#include "engine/run_types.hpp"

namespace offload::engine {

/// Everything a finished (or interrupted: a partial report beats none) run
/// leaves in the output directory: junit.xml, timeline.svg, trace.json with
/// --trace, the history with this run's durations, and run-stats.json.
/// A report that cannot be written is said once; the others still are.
void write_reports(const config::Config& config, const RunOutcome& outcome, bool trace, History& history);

} // namespace offload::engine
