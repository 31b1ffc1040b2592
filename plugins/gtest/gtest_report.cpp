// SPDX-License-Identifier: MIT
#include "gtest_report.hpp"

#include "json_config.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <optional>

namespace offload::plugins {
namespace {

using plugin_support::string_member;

constexpr std::string_view k_marker = "#offload-gtest-binary";

/// gtest writes durations as "0.25s".
std::optional<double> seconds(const nlohmann::json& test) {
  const std::string text = string_member(test, "time");
  if (text.empty()) {
    return std::nullopt;
  }
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || value < 0.0) {
    return std::nullopt;
  }
  return value;
}

std::string prefixed(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + " " + name;
}

/// One line for a failure's message attribute: gtest's failure text
/// without its leading "file:line" line, its lines trimmed and joined.
std::string failure_summary(std::string_view text) {
  constexpr std::size_t k_limit = 300;
  if (const std::size_t newline = text.find('\n'); newline != std::string_view::npos) {
    text.remove_prefix(newline + 1);
  }
  std::string summary;
  while (!text.empty() && summary.size() < k_limit) {
    const std::size_t end = text.find('\n');
    if (const std::string line = first_line(text.substr(0, end)); !line.empty()) {
      summary += (summary.empty() ? "" : " ") + line;
    }
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  if (summary.size() > k_limit) {
    summary = summary.substr(0, k_limit) + "...";
  }
  return summary.empty() ? "test failed" : summary;
}

JUnitResult test_result(const nlohmann::json& test, const std::string& prefix, const std::string& suite) {
  JUnitResult result;
  const std::string classname = string_member(test, "classname");
  result.classname = prefixed(prefix, classname.empty() ? suite : classname);
  result.name = string_member(test, "name");
  result.time_secs = seconds(test);
  const auto failures = test.find("failures");
  if (failures != test.end() && failures->is_array() && !failures->empty()) {
    result.outcome = JUnitResult::Outcome::Failed;
    for (const auto& failure : *failures) {
      const std::string text = failure.is_object() ? string_member(failure, "failure") : std::string();
      if (result.message.empty()) {
        result.message = failure_summary(text);
      }
      result.details += (result.details.empty() ? "" : "\n\n") + text;
    }
  } else if (string_member(test, "result") == "SKIPPED") {
    result.outcome = JUnitResult::Outcome::Skipped;
    result.message = "skipped (GTEST_SKIP)";
  } else if (string_member(test, "status") == "NOTRUN" || string_member(test, "result") == "SUPPRESSED") {
    result.outcome = JUnitResult::Outcome::Skipped;
    result.message = "disabled";
  }
  return result;
}

void add_part(std::string_view json, const std::string& prefix, std::vector<JUnitSuite>& suites) {
  const nlohmann::json report = nlohmann::json::parse(valid_utf8(json), nullptr, false);
  if (!report.is_object()) {
    return;
  }
  const auto testsuites = report.find("testsuites");
  if (testsuites == report.end() || !testsuites->is_array()) {
    return;
  }
  for (const auto& testsuite : *testsuites) {
    if (!testsuite.is_object()) {
      continue;
    }
    const std::string name = string_member(testsuite, "name");
    JUnitSuite suite{prefixed(prefix, name), {}};
    const auto tests = testsuite.find("testsuite");
    if (tests != testsuite.end() && tests->is_array()) {
      for (const auto& test : *tests) {
        if (test.is_object()) {
          suite.results.push_back(test_result(test, prefix, name));
        }
      }
    }
    suites.push_back(std::move(suite));
  }
}

} // namespace

std::string part_marker(std::string_view prefix) {
  return prefix.empty() ? std::string(k_marker) : std::string(k_marker) + " " + std::string(prefix);
}

std::vector<JUnitSuite> parse_gtest_results(std::string_view data) {
  std::vector<JUnitSuite> suites;
  std::optional<std::string> prefix;
  std::string part;
  const auto flush = [&] {
    if (prefix) {
      add_part(part, *prefix, suites);
    }
    part.clear();
  };
  while (!data.empty()) {
    const std::size_t end = data.find('\n');
    const std::string_view line = data.substr(0, end);
    data.remove_prefix(end == std::string_view::npos ? data.size() : end + 1);
    if (line == k_marker || line.starts_with(std::string(k_marker) + " ")) {
      flush();
      prefix = std::string(line.substr(std::min(line.size(), k_marker.size() + 1)));
      continue;
    }
    part += line;
    part += '\n';
  }
  flush();
  return suites;
}

} // namespace offload::plugins
