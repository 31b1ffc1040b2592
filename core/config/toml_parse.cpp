// SPDX-License-Identifier: MIT
#include "config/reader.hpp"

#include <sstream>

namespace offload::config::detail {
namespace {

// toml11's what() is a multi-line excerpt: "[error] toml::function: reason",
// then source lines annotated like "|     ^--- expected newline". Keep the
// reason and the last annotation, which says what the parser expected.
std::string short_reason(const std::string& what) {
  std::istringstream lines(what);
  std::string reason;
  std::getline(lines, reason);
  const std::string tag = "[error] ";
  if (reason.compare(0, tag.size(), tag) == 0) {
    reason.erase(0, tag.size());
  }
  const size_t colon = reason.find(": ");
  if (colon != std::string::npos && reason.find_first_not_of("abcdefghijklmnopqrstuvwxyz_:") >= colon) {
    reason.erase(0, reason.find_first_not_of(' ', colon + 1));
  }
  while (!reason.empty() && (reason.back() == '.' || reason.back() == ' ')) {
    reason.pop_back();
  }

  std::string annotation;
  for (std::string line; std::getline(lines, line);) {
    const size_t gutter = line.find("| ");
    if (gutter == std::string::npos) {
      continue;
    }
    const size_t mark = line.find_first_not_of(' ', gutter + 2);
    if (mark == std::string::npos || (line[mark] != '^' && line[mark] != '~')) {
      continue;
    }
    const size_t text = line.find_first_not_of("^~- ", mark);
    if (text != std::string::npos && line.compare(text, std::string::npos, "here") != 0) {
      annotation = line.substr(text);
    }
  }
  while (!annotation.empty() && annotation.back() == '.') {
    annotation.pop_back();
  }

  if (reason.empty() || annotation.empty()) {
    return reason.empty() ? annotation : reason;
  }
  return reason + " (" + annotation + ")";
}

} // namespace

Result<toml::value> parse_toml(std::string_view text, const std::string& name) {
  std::istringstream in{std::string(text)};
  try {
    return toml::parse(in, name);
  } catch (const toml::exception& e) {
    const auto& loc = e.location();
    const int line = loc.file_name() == "unknown file" ? 0 : static_cast<int>(loc.line());
    return error_at(Position{name, line}, "invalid TOML: " + short_reason(e.what()));
  } catch (const std::exception& e) {
    return error_at(Position{name, 0}, "invalid TOML: " + short_reason(e.what()));
  }
}

} // namespace offload::config::detail
