// SPDX-License-Identifier: MIT
#include "config/reader.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <sstream>
#include <tuple>

namespace offload::config::detail {

std::vector<Entry> in_file_order(const toml::table& table) {
  struct Located {
    uint32_t line;
    uint32_t column;
    const std::string* key;
    const toml::value* value;
  };
  std::vector<Located> located;
  located.reserve(table.size());
  for (const auto& [key, value] : table) {
    const auto loc = value.location();
    located.push_back({loc.line(), loc.column(), &key, &value});
  }
  std::sort(located.begin(), located.end(), [](const Located& a, const Located& b) {
    return std::tie(a.line, a.column, *a.key) < std::tie(b.line, b.column, *b.key);
  });
  std::vector<Entry> entries;
  entries.reserve(located.size());
  for (const auto& l : located) {
    entries.push_back({*l.key, *l.value});
  }
  return entries;
}

Position position_of(const toml::value& value, const std::string& file) {
  const auto loc = value.location();
  // toml11 reports line 1 for values it has no source for; those are
  // recognisable by its placeholder texts.
  const bool unknown = loc.file_name() == "unknown file" && loc.line_str() == "unknown line";
  return Position{file, unknown ? 0 : static_cast<int>(loc.line())};
}

std::string describe(const toml::value& value) {
  std::ostringstream out;
  switch (value.type()) {
  case toml::value_t::boolean:
    out << "boolean " << (value.as_boolean() ? "true" : "false");
    break;
  case toml::value_t::integer:
    out << "integer " << value.as_integer();
    break;
  case toml::value_t::floating:
    out << "float " << value.as_floating();
    break;
  case toml::value_t::string:
    out << "string " << quoted(value.as_string().str);
    break;
  case toml::value_t::offset_datetime:
    out << "date-time " << value.as_offset_datetime();
    break;
  case toml::value_t::local_datetime:
    out << "date-time " << value.as_local_datetime();
    break;
  case toml::value_t::local_date:
    out << "date " << value.as_local_date();
    break;
  case toml::value_t::local_time:
    out << "time " << value.as_local_time();
    break;
  case toml::value_t::array:
    out << "array";
    break;
  case toml::value_t::table:
    out << "table";
    break;
  case toml::value_t::empty:
    out << "nothing";
    break;
  }
  return out.str();
}

std::string quoted(std::string_view text) {
  constexpr size_t max_length = 60;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < max_length; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > max_length) {
    out += "...";
  }
  return out + "\"";
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) {
    if (!out.empty()) {
      out += ", ";
    }
    out += word;
  }
  return out;
}

Error error_at(const Position& pos, std::string_view message) {
  const std::string where = to_string(pos);
  if (where.empty()) {
    return Error{std::string(message)};
  }
  return make_error(where, ": ", message);
}

Error unknown_key(const Position& pos, const std::string& path, const std::string& key,
                  const std::vector<std::string>& candidates) {
  const std::string suggestion = closest_match(key, candidates);
  if (!suggestion.empty()) {
    return error_at(pos, "unknown key '" + path + "'; did you mean '" + suggestion + "'?");
  }
  return error_at(pos, "unknown key '" + path + "'; expected one of: " + join(candidates));
}

Result<std::string> expanded_string(const toml::value& value, const std::string& path,
                                    const std::string& file) {
  auto expanded = expand_env(value.as_string().str);
  if (!expanded) {
    return error_at(position_of(value, file), path + ": " + expanded.error().message);
  }
  return std::move(expanded).value();
}

TableReader::TableReader(const toml::value& table, std::string path, std::string file)
    : m_table(table), m_path(std::move(path)), m_file(std::move(file)) {}

Status TableReader::check_keys(const std::vector<std::string>& known) const {
  for (const auto& [key, value] : in_file_order(m_table.as_table())) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return unknown_key(position_of(value, m_file), path_of(key), key, known);
    }
  }
  return {};
}

Status TableReader::integer(const std::string& key, int64_t min, int64_t& out) const {
  return integer(key, min, std::numeric_limits<int64_t>::max(), out);
}

Status TableReader::integer(const std::string& key, int64_t min, int64_t max, int64_t& out) const {
  const toml::value* value = find(key);
  if (value == nullptr) {
    return {};
  }
  if (!value->is_integer() || value->as_integer() < min || value->as_integer() > max) {
    const std::string range = max == std::numeric_limits<int64_t>::max()
                                  ? "≥ " + std::to_string(min)
                                  : "from " + std::to_string(min) + " to " + std::to_string(max);
    return error_at(position_of(*value, m_file),
                    "'" + path_of(key) + "' must be an integer " + range + ", got " + describe(*value));
  }
  out = value->as_integer();
  return {};
}

Status TableReader::boolean(const std::string& key, bool& out) const {
  const toml::value* value = find(key);
  if (value == nullptr) {
    return {};
  }
  if (!value->is_boolean()) {
    return error_at(position_of(*value, m_file), "'" + path_of(key) +
                                                     "' must be a boolean (true or false), got " +
                                                     describe(*value));
  }
  out = value->as_boolean();
  return {};
}

Status TableReader::string(const std::string& key, std::string& out) const {
  const toml::value* value = find(key);
  if (value == nullptr) {
    return {};
  }
  if (!value->is_string()) {
    return error_at(position_of(*value, m_file),
                    "'" + path_of(key) + "' must be a string, got " + describe(*value));
  }
  auto expanded = expanded_string(*value, path_of(key), m_file);
  if (!expanded) {
    return std::move(expanded).error();
  }
  out = std::move(expanded).value();
  return {};
}

Status TableReader::optional_string(const std::string& key, std::optional<std::string>& out) const {
  if (find(key) == nullptr) {
    return {};
  }
  std::string text;
  if (auto status = string(key, text); !status) {
    return status;
  }
  out = std::move(text);
  return {};
}

Position TableReader::position(const std::string& key) const {
  const toml::value* value = find(key);
  return position_of(value != nullptr ? *value : m_table, m_file);
}

const toml::value* TableReader::find(const std::string& key) const {
  const auto& table = m_table.as_table();
  auto it = table.find(key);
  return it == table.end() ? nullptr : &it->second;
}

std::string TableReader::path_of(const std::string& key) const {
  return m_path + "." + key;
}

} // namespace offload::config::detail
