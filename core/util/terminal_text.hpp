// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace offload::util {

/// `text` safe to print on a terminal: C0 and C1 control characters (escape
/// sequences that move the cursor, clear the screen or retitle the window,
/// carriage returns that overwrite what came before) become \xNN. Tab stays,
/// and so do line breaks with `keep_newlines` (for multi-line messages).
std::string terminal_text(std::string_view text, bool keep_newlines = false);

} // namespace offload::util
