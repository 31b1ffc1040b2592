// SPDX-License-Identifier: MIT
#include "nextest.hpp"

#include "junit_xml.hpp"

#include <offload/plugin.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>

namespace offload::plugins {
namespace {

bool selected(const nlohmann::json& testcase) {
  if (!testcase.is_object()) {
    return false;
  }
  const auto match = testcase.find("filter-match");
  if (match == testcase.end() || !match->is_object()) {
    return true;
  }
  const auto status = match->find("status");
  return status != match->end() && status->is_string() && status->get<std::string>() == "matches";
}

/// A TOML basic string holding `text`.
std::string toml_string(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04X", static_cast<unsigned>(static_cast<unsigned char>(c)));
      quoted += escape;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

} // namespace

std::vector<std::string> parse_nextest_list(std::string_view json) {
  const nlohmann::json listing = nlohmann::json::parse(valid_utf8(json), nullptr, false);
  const auto suites = listing.is_object() ? listing.find("rust-suites") : listing.end();
  if (!listing.is_object() || suites == listing.end() || !suites->is_object()) {
    throw sdk::Failure(OFFLOAD_EIO, "cargo nextest list printed no JSON test list with \"rust-suites\"");
  }
  std::vector<std::string> ids;
  for (const auto& [key, suite] : suites->items()) {
    std::string binary = key;
    if (const auto id = suite.find("binary-id"); id != suite.end() && id->is_string()) {
      binary = id->get<std::string>();
    }
    const auto testcases = suite.find("testcases");
    if (testcases == suite.end() || !testcases->is_object()) {
      continue;
    }
    for (const auto& [name, testcase] : testcases->items()) {
      if (selected(testcase)) {
        ids.push_back(binary + " " + name);
      }
    }
  }
  return ids;
}

std::string nextest_filterset(const std::vector<std::string>& ids) {
  std::string expression;
  for (const std::string& id : ids) {
    if (!expression.empty()) {
      expression += " | ";
    }
    const std::size_t space = id.find(' ');
    if (space == std::string::npos) {
      expression += "test(=" + id + ")";
    } else {
      expression += "(binary_id(=" + id.substr(0, space) + ") & test(=" + id.substr(space + 1) + "))";
    }
  }
  return expression;
}

std::string nextest_junit_config(std::string_view result_file) {
  return "[profile.default.junit]\npath = " + toml_string(result_file) + "\n";
}

} // namespace offload::plugins
