// SPDX-License-Identifier: MIT
#include "gtest_list.hpp"

#include <optional>

namespace offload::plugins {
namespace {

/// `line` without gtest's "  # ..." comment and trailing blanks.
std::string_view strip_comment(std::string_view line) {
  if (const std::size_t hash = line.find("  #"); hash != std::string_view::npos) {
    line = line.substr(0, hash);
  }
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  return line;
}

/// gtest's own rule: a suite or test whose name, or whose part after a
/// '/', starts with DISABLED_ does not run by default.
bool is_disabled(std::string_view name) {
  constexpr std::string_view disabled = "DISABLED_";
  return name.starts_with(disabled) || name.find("/" + std::string(disabled)) != std::string_view::npos;
}

bool has_blank(std::string_view text) {
  return text.find_first_of(" \t") != std::string_view::npos;
}

} // namespace

std::vector<std::string> parse_gtest_list(const std::vector<std::string>& lines, bool include_disabled) {
  std::vector<std::string> names;
  std::optional<std::string> suite;
  for (const std::string& raw : lines) {
    const std::string_view line = strip_comment(raw);
    if (line.empty()) {
      continue;
    }
    if (line.front() != ' ') {
      // A suite line is one word ending with '.'; anything else ends the suite.
      suite.reset();
      if (line.size() > 1 && line.back() == '.' && !has_blank(line)) {
        suite = std::string(line.substr(0, line.size() - 1));
      }
      continue;
    }
    const std::size_t begin = line.find_first_not_of(' ');
    const std::string_view test = line.substr(begin);
    if (!suite || has_blank(test)) {
      continue;
    }
    if (!include_disabled && (is_disabled(*suite) || is_disabled(test))) {
      continue;
    }
    names.push_back(*suite + "." + std::string(test));
  }
  return names;
}

bool is_filterable(std::string_view full_name) {
  return full_name.find_first_of(":- \t") == std::string_view::npos;
}

} // namespace offload::plugins
