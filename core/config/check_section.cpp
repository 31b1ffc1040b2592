// SPDX-License-Identifier: MIT
#include "config/reader.hpp"

#include <algorithm>

namespace offload::config {
namespace {

using detail::error_at;

std::string describe(const nlohmann::json& value) {
  switch (value.type()) {
  case nlohmann::json::value_t::string:
    return "string " + detail::quoted(value.get_ref<const std::string&>());
  case nlohmann::json::value_t::boolean:
    return std::string("boolean ") + (value.get<bool>() ? "true" : "false");
  case nlohmann::json::value_t::number_integer:
  case nlohmann::json::value_t::number_unsigned:
    return "integer " + value.dump();
  case nlohmann::json::value_t::number_float:
    return "float " + value.dump();
  case nlohmann::json::value_t::array:
    return "array";
  case nlohmann::json::value_t::object:
    return "table";
  default:
    return "nothing";
  }
}

const char* expected_type(uint32_t type) {
  switch (type) {
  case OFFLOAD_OPTION_STRING:
    return "a string";
  case OFFLOAD_OPTION_INTEGER:
    return "an integer";
  case OFFLOAD_OPTION_BOOLEAN:
    return "a boolean (true or false)";
  case OFFLOAD_OPTION_FLOAT:
    return "a number";
  case OFFLOAD_OPTION_STRING_LIST:
    return "an array of strings";
  case OFFLOAD_OPTION_STRING_TABLE:
    return "a table of strings";
  default:
    return "";
  }
}

// "" when `value` fits `type`, else what was found instead. Types this host
// does not know are not checked: the plugin is newer and checks them itself.
std::string type_mismatch(uint32_t type, const nlohmann::json& value) {
  switch (type) {
  case OFFLOAD_OPTION_STRING:
    return value.is_string() ? "" : describe(value);
  case OFFLOAD_OPTION_INTEGER:
    return value.is_number_integer() ? "" : describe(value);
  case OFFLOAD_OPTION_BOOLEAN:
    return value.is_boolean() ? "" : describe(value);
  case OFFLOAD_OPTION_FLOAT:
    return value.is_number() ? "" : describe(value);
  case OFFLOAD_OPTION_STRING_LIST:
    if (!value.is_array()) {
      return describe(value);
    }
    for (size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_string()) {
        return "an array holding " + describe(value[i]) + " at index " + std::to_string(i);
      }
    }
    return "";
  case OFFLOAD_OPTION_STRING_TABLE:
    if (!value.is_object()) {
      return describe(value);
    }
    for (const auto& [key, item] : value.items()) {
      if (!item.is_string()) {
        return "a table holding " + describe(item) + " for '" + key + "'";
      }
    }
    return "";
  default:
    return "";
  }
}

const offload_option* find_option(std::span<const offload_option> options, const std::string& key) {
  for (const auto& option : options) {
    if (option.name != nullptr && key == option.name) {
      return &option;
    }
  }
  return nullptr;
}

Error unknown_key(const PluginSection& section, const std::string& key,
                  std::span<const offload_option> options) {
  std::vector<std::string> known;
  for (const auto& option : options) {
    if (option.name != nullptr) {
      known.emplace_back(option.name);
    }
  }
  const std::string path = section.name + "." + key;
  if (known.empty()) {
    return error_at(section.where(key), "unknown key '" + path + "'; " + section.name + " type '" +
                                            section.type + "' takes no keys besides 'type'");
  }
  return detail::unknown_key(section.where(key), path, key, known);
}

Result<nlohmann::json> check(const PluginSection& section, std::span<const offload_option> options) {
  // Report the first problem in file order, as the other checks do.
  std::vector<std::string> keys;
  for (const auto& item : section.values.items()) {
    keys.push_back(item.key());
  }
  std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
    return section.where(a).line < section.where(b).line;
  });

  for (const auto& key : keys) {
    const offload_option* option = find_option(options, key);
    if (option == nullptr) {
      return unknown_key(section, key, options);
    }
    const std::string found = type_mismatch(option->type, section.values.at(key));
    if (!found.empty()) {
      return error_at(section.where(key), "'" + section.name + "." + key + "' must be " +
                                              expected_type(option->type) + ", got " + found);
    }
  }

  nlohmann::json checked = section.values;
  for (const auto& option : options) {
    if (option.name == nullptr || checked.contains(option.name)) {
      continue;
    }
    const std::string path = section.name + "." + option.name;
    if ((option.flags & OFFLOAD_OPTION_REQUIRED) != 0) {
      return error_at(section.header, "missing required key '" + path + "'");
    }
    if (option.default_json == nullptr) {
      continue;
    }
    auto value = nlohmann::json::parse(option.default_json, nullptr, false);
    if (value.is_discarded()) {
      return make_error("plugin for ", section.name, " type '", section.type,
                        "' declares an invalid default for '", path, "': ",
                        detail::quoted(option.default_json), " is not JSON");
    }
    checked[option.name] = std::move(value);
  }
  return checked;
}

} // namespace

Result<nlohmann::json> check_plugin_section(const PluginSection& section,
                                            std::span<const offload_option> options) {
  try {
    return check(section, options);
  } catch (const std::exception& e) {
    return make_error(to_string(section.header), ": cannot check [", section.name, "]: ", e.what());
  }
}

} // namespace offload::config
