// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace checks {

/// The string value of the first `"key":` member in `json`, unescaped, or
/// nullopt when there is none. Enough for the host's fixed request shapes;
/// a plugin that reads configuration of any shape wants a JSON library.
std::optional<std::string> string_member(std::string_view json, std::string_view key);

/// `text` as a JSON string literal, quotes included.
std::string json_string(std::string_view text);

} // namespace checks
