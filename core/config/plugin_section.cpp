// SPDX-License-Identifier: MIT
#include "config/reader.hpp"
#include "util/utf8.hpp"

#include <cmath>
#include <sstream>

namespace offload::config::detail {
namespace {

// Dates have no JSON type; plugins get them as the text written in TOML.
template <class Date>
std::string date_text(const Date& date) {
  std::ostringstream out;
  out << date;
  return out.str();
}

Result<nlohmann::json> to_json(const toml::value& value, const std::string& path,
                               const std::string& file) {
  switch (value.type()) {
  case toml::value_t::boolean:
    return nlohmann::json(value.as_boolean());
  case toml::value_t::integer:
    return nlohmann::json(value.as_integer());
  case toml::value_t::floating:
    if (!std::isfinite(value.as_floating())) {
      return error_at(position_of(value, file), "'" + path + "' is " + describe(value) +
                                                    ", which JSON cannot carry to a plugin; "
                                                    "expected a finite number");
    }
    return nlohmann::json(value.as_floating());
  case toml::value_t::string: {
    auto text = expanded_string(value, path, file);
    if (!text) {
      return std::move(text).error();
    }
    return nlohmann::json(std::move(text).value());
  }
  case toml::value_t::offset_datetime:
    return nlohmann::json(date_text(value.as_offset_datetime()));
  case toml::value_t::local_datetime:
    return nlohmann::json(date_text(value.as_local_datetime()));
  case toml::value_t::local_date:
    return nlohmann::json(date_text(value.as_local_date()));
  case toml::value_t::local_time:
    return nlohmann::json(date_text(value.as_local_time()));
  case toml::value_t::array: {
    auto array = nlohmann::json::array();
    const auto& items = value.as_array();
    for (size_t i = 0; i < items.size(); ++i) {
      auto item = to_json(items[i], path + "[" + std::to_string(i) + "]", file);
      if (!item) {
        return std::move(item).error();
      }
      array.push_back(std::move(item).value());
    }
    return array;
  }
  case toml::value_t::table: {
    auto object = nlohmann::json::object();
    for (const auto& [key, child] : in_file_order(value.as_table())) {
      if (!util::valid_utf8(key)) {
        return error_at(position_of(child, file),
                        "key '" + path + "." + util::escape_invalid_utf8(key) + "' is not valid UTF-8");
      }
      auto item = to_json(child, path + "." + key, file);
      if (!item) {
        return std::move(item).error();
      }
      object[key] = std::move(item).value();
    }
    return object;
  }
  case toml::value_t::empty:
    break;
  }
  return error_at(position_of(value, file), "'" + path + "' has no value");
}

} // namespace

Result<PluginSection> read_plugin_section(const toml::value& table, const std::string& name,
                                          const std::string& file) {
  PluginSection section;
  section.name = name;
  section.header = position_of(table, file);

  const auto& entries = table.as_table();
  auto type = entries.find("type");
  if (type == entries.end()) {
    return error_at(section.header, "missing required key '" + name + ".type'");
  }
  if (!type->second.is_string()) {
    return error_at(position_of(type->second, file), "'" + name + ".type' must be a string naming the " +
                                                         name + " type, got " +
                                                         describe(type->second));
  }
  auto type_name = expanded_string(type->second, name + ".type", file);
  if (!type_name) {
    return std::move(type_name).error();
  }
  if (type_name->empty()) {
    return error_at(position_of(type->second, file),
                    "'" + name + ".type' is empty; expected the name of a " + name + " type");
  }
  section.type = std::move(type_name).value();
  section.keys["type"] = position_of(type->second, file);

  for (const auto& [key, value] : in_file_order(entries)) {
    if (key == "type") {
      continue;
    }
    auto json = to_json(value, name + "." + key, file);
    if (!json) {
      return std::move(json).error();
    }
    section.values[key] = std::move(json).value();
    section.keys[key] = position_of(value, file);
  }
  return section;
}

} // namespace offload::config::detail
