// SPDX-License-Identifier: MIT
#pragma once

#include "cli/context.hpp"
#include "util/result.hpp"

#include <cstdint>

namespace offload::cli {

/// Refuses setups that would mix results up before anything runs: a
/// framework whose runner writes one fixed result file, run in more than one
/// sandbox of a provider whose sandboxes share this machine's file system.
/// Warns (on the log) about setups that are allowed but risky.
Status check_run_setup(const Context& ctx, int64_t sandboxes);

} // namespace offload::cli
