// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace offload::plugin_support {

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or
/// code points above U+10FFFF).
bool is_utf8(std::string_view text);

/// `text` for an error message: control characters and bytes that are not
/// UTF-8 as \xNN, a backslash as \\.
std::string escaped(std::string_view text);

/// Throws sdk::Failure(OFFLOAD_EINVAL) naming `id` unless it is UTF-8: the
/// ABI carries IDs as JSON text, where other bytes would be replaced and
/// two tests could become one, or the runner be handed an ID it never printed.
void check_test_id(std::string_view id);

} // namespace offload::plugin_support
