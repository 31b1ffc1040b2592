// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace offload::plugin_support {

/// Splits a user-written command fragment (a group's filters such as
/// `-m 'not slow' -k "a or b"`) into words the way a POSIX shell would,
/// without running anything: blanks separate words; '...' keeps every
/// character; "..." keeps everything but lets a backslash escape $ ` " \ and
/// a newline; an unquoted backslash keeps the next character, and a
/// backslash-newline joins lines. `$`, `*` and the like stay literal, because
/// no expansion happens. Throws sdk::Failure(OFFLOAD_EINVAL) for an
/// unterminated quote or a trailing backslash.
std::vector<std::string> shell_split(std::string_view text);

} // namespace offload::plugin_support
