// SPDX-License-Identifier: MIT
#pragma once

#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace offload::plugin_support {

// Typed reads of one member of a JSON object (a checked configuration
// section or a request). An absent or null member yields the fallback; a
// member of the wrong type throws sdk::Failure(OFFLOAD_EINVAL) naming `key`.

std::optional<std::string> optional_string(const nlohmann::json& object, const std::string& key);
std::string string_or(const nlohmann::json& object, const std::string& key, std::string fallback);
std::map<std::string, std::string> string_table(const nlohmann::json& object, const std::string& key);
std::vector<std::string> string_list(const nlohmann::json& object, const std::string& key);
bool bool_or(const nlohmann::json& object, const std::string& key, bool fallback);
int64_t int_or(const nlohmann::json& object, const std::string& key, int64_t fallback);

/// A string member of a tool's own output (a report, a build message), or
/// "" when it is absent or not a string: such output is read leniently,
/// unlike configuration.
std::string string_member(const nlohmann::json& object, const char* key);

/// The longest timeout a plugin option may set (about 31 years), as the host
/// caps its own: in milliseconds or nanoseconds, anything much longer no
/// longer fits an int64.
inline constexpr int64_t k_max_timeout_secs = 1'000'000'000;

/// Compact JSON text; invalid UTF-8 in strings is replaced instead of throwing.
std::string json_text(const nlohmann::json& value);

/// Parses JSON text received through the ABI into an object; throws
/// sdk::Failure(OFFLOAD_EINVAL) naming `what` (e.g. "discover request").
nlohmann::json parse_object(std::string_view text, std::string_view what);

/// Runs `read` (which uses the getters above on a request, not on the
/// configuration) and reports a wrong member as a malformed `what` rather
/// than as a configuration key at fault.
template <class Read>
decltype(auto) read_request(std::string_view what, Read&& read) {
  try {
    return std::forward<Read>(read)();
  } catch (const sdk::Failure& failure) {
    if (failure.key().empty()) {
      throw;
    }
    throw sdk::Failure(failure.code(), "malformed " + std::string(what) + ": " + failure.what());
  }
}

} // namespace offload::plugin_support
