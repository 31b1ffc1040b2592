// SPDX-License-Identifier: MIT
#include "json_scan.hpp"

#include <cstdio>

namespace checks {

std::optional<std::string> string_member(std::string_view json, std::string_view key) {
  const std::string pattern = "\"" + std::string(key) + "\":";
  auto at = json.find(pattern);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  at += pattern.size();
  // The value may be an array of strings ("tests"): its first element counts.
  while (at < json.size() && (json[at] == ' ' || json[at] == '[')) {
    ++at;
  }
  if (at >= json.size() || json[at] != '"') {
    return std::nullopt;
  }
  std::string value;
  for (++at; at < json.size() && json[at] != '"'; ++at) {
    if (json[at] == '\\' && at + 1 < json.size()) {
      const char escaped = json[++at];
      // \uXXXX never occurs in the names this plugin accepts.
      value += escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped;
    } else {
      value += json[at];
    }
  }
  return value;
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

} // namespace checks
