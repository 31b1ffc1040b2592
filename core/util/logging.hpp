// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <string_view>

namespace offload::util {

/// Sets up the one logger everything writes to: stderr, "offload: LEVEL: msg".
/// `verbosity` 0 shows warnings and errors, 1 (-v) info, 2 (-vv) debug.
void init_logging(int verbosity);

/// Called with the writing of each log line: it runs `write` when it may,
/// so a line redrawn in place is not written over.
using LogGuard = std::function<void(const std::function<void()>& write)>;
/// Sets the guard every log line goes through from now on; an empty one
/// writes lines directly again. Never set one that logs.
void set_log_guard(LogGuard guard);

/// Prints the one error line a failed command ends with.
void report_error(std::string_view message);

} // namespace offload::util
