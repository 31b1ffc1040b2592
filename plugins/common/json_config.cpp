// SPDX-License-Identifier: MIT
#include "json_config.hpp"

#include <cstdint>

namespace offload::plugin_support {
namespace {

/// The member `key`, or nullptr when it is absent or null.
const nlohmann::json* member(const nlohmann::json& object, const std::string& key) {
  if (!object.is_object()) {
    return nullptr;
  }
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return nullptr;
  }
  return &*it;
}

[[noreturn]] void wrong_type(const std::string& key, const char* expected, const nlohmann::json& found) {
  throw sdk::Failure(OFFLOAD_EINVAL,
                     "'" + key + "' must be " + expected + ", not " + std::string(found.type_name()), key);
}

} // namespace

std::optional<std::string> optional_string(const nlohmann::json& object, const std::string& key) {
  const nlohmann::json* value = member(object, key);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (!value->is_string()) {
    wrong_type(key, "a string", *value);
  }
  return value->get<std::string>();
}

std::string string_or(const nlohmann::json& object, const std::string& key, std::string fallback) {
  return optional_string(object, key).value_or(std::move(fallback));
}

std::string string_member(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::map<std::string, std::string> string_table(const nlohmann::json& object, const std::string& key) {
  std::map<std::string, std::string> table;
  const nlohmann::json* value = member(object, key);
  if (value == nullptr) {
    return table;
  }
  if (!value->is_object()) {
    wrong_type(key, "a table of strings", *value);
  }
  for (const auto& [name, entry] : value->items()) {
    if (!entry.is_string()) {
      throw sdk::Failure(OFFLOAD_EINVAL, "'" + key + "' must be a table of strings, but '" + name +
                                             "' is " + std::string(entry.type_name()), key);
    }
    table.emplace(name, entry.get<std::string>());
  }
  return table;
}

std::vector<std::string> string_list(const nlohmann::json& object, const std::string& key) {
  std::vector<std::string> list;
  const nlohmann::json* value = member(object, key);
  if (value == nullptr) {
    return list;
  }
  if (!value->is_array()) {
    wrong_type(key, "an array of strings", *value);
  }
  for (const auto& entry : *value) {
    if (!entry.is_string()) {
      wrong_type(key, "an array of strings", entry);
    }
    list.push_back(entry.get<std::string>());
  }
  return list;
}

bool bool_or(const nlohmann::json& object, const std::string& key, bool fallback) {
  const nlohmann::json* value = member(object, key);
  if (value == nullptr) {
    return fallback;
  }
  if (!value->is_boolean()) {
    wrong_type(key, "a boolean", *value);
  }
  return value->get<bool>();
}

int64_t int_or(const nlohmann::json& object, const std::string& key, int64_t fallback) {
  const nlohmann::json* value = member(object, key);
  if (value == nullptr) {
    return fallback;
  }
  const bool too_large = value->is_number_unsigned() &&
                         value->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX);
  if (!value->is_number_integer() || too_large) {
    wrong_type(key, "a 64-bit integer", *value);
  }
  return value->get<int64_t>();
}

std::string json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json parse_object(std::string_view text, std::string_view what) {
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw sdk::Failure(OFFLOAD_EINVAL, std::string(what) + " is not valid JSON: " + e.what());
  }
  if (!value.is_object()) {
    throw sdk::Failure(OFFLOAD_EINVAL, std::string(what) + " must be a JSON object, not " +
                                           std::string(value.type_name()));
  }
  return value;
}

} // namespace offload::plugin_support
