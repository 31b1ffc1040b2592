// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace offload::util {

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or
/// code points above U+10FFFF): what JSON, and so every plugin, needs.
bool valid_utf8(std::string_view text);

/// The offset of the first byte of `text` that is not part of a well-formed
/// UTF-8 sequence; nullopt when there is none.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

/// `text` for a message: each byte that is not part of a well-formed UTF-8
/// sequence written as \xNN, so the message itself stays valid UTF-8.
std::string escape_invalid_utf8(std::string_view text);

} // namespace offload::util
