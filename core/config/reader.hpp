// SPDX-License-Identifier: MIT
#pragma once

// Helpers shared by the files that turn a parsed TOML document into a Config.
// Private to core/config: nothing outside this folder includes toml11.

#include "config/config.hpp"

#include <toml.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::config::detail {

struct Entry {
  const std::string& key;
  const toml::value& value;
};

/// The entries of a table in the order they are written, so that errors and
/// groups come out in file order although toml11 tables are unordered.
std::vector<Entry> in_file_order(const toml::table& table);

Position position_of(const toml::value& value, const std::string& file);

/// "string \"four\"", "integer 4", "table", ... for "got ..." in messages.
std::string describe(const toml::value& value);

/// `text` in double quotes, shortened and with control characters escaped,
/// so that a message stays one line.
std::string quoted(std::string_view text);

/// "a, b, c"
std::string join(const std::vector<std::string>& words);

/// Prefixes `message` with "FILE:LINE: ".
Error error_at(const Position& pos, std::string_view message);

/// "unknown key 'PATH'; did you mean 'x'?" or, without a close candidate,
/// "...; expected one of: a, b, c".
Error unknown_key(const Position& pos, const std::string& path, const std::string& key,
                  const std::vector<std::string>& candidates);

/// The string `value` with ${VAR} expanded; `path` names it in errors.
Result<std::string> expanded_string(const toml::value& value, const std::string& path,
                                    const std::string& file);

/// Parses TOML text; a syntax error becomes one line
/// "NAME:LINE: invalid TOML: reason (what the parser expected)".
Result<toml::value> parse_toml(std::string_view text, const std::string& name);

/// Reads keys of a table with a fixed schema ([offload], [groups.X], [report]).
class TableReader {
public:
  TableReader(const toml::value& table, std::string path, std::string file);

  /// Error for the first key (in file order) that is not in `known`.
  Status check_keys(const std::vector<std::string>& known) const;

  /// Each leaves `out` unchanged when the key is absent.
  Status integer(const std::string& key, int64_t min, int64_t& out) const;
  /// An integer from `min` to `max`.
  Status integer(const std::string& key, int64_t min, int64_t max, int64_t& out) const;
  Status boolean(const std::string& key, bool& out) const;
  Status string(const std::string& key, std::string& out) const;
  Status optional_string(const std::string& key, std::optional<std::string>& out) const;

  Position position(const std::string& key) const;

private:
  const toml::value* find(const std::string& key) const;
  std::string path_of(const std::string& key) const;

  const toml::value& m_table;
  std::string m_path;
  std::string m_file;
};

/// Reads [provider] or [framework]: its `type`, and every other key as JSON
/// with strings expanded.
Result<PluginSection> read_plugin_section(const toml::value& table, const std::string& name,
                                          const std::string& file);

} // namespace offload::config::detail
