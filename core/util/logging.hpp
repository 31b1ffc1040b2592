// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace offload::util {

/// Sets up the one logger everything writes to: stderr, "offload: LEVEL: msg".
/// `verbosity` 0 shows warnings and errors, 1 (-v) info, 2 (-vv) debug.
void init_logging(int verbosity);

/// Prints the one error line a failed command ends with.
void report_error(std::string_view message);

} // namespace offload::util
