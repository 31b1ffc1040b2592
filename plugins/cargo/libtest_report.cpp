// SPDX-License-Identifier: MIT
#include "libtest_report.hpp"

#include "json_config.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <set>

namespace offload::plugins {
namespace {

using plugin_support::string_member;

constexpr std::string_view k_marker = "#offload-cargo-binary ";
constexpr std::string_view k_only = "#offload-cargo-only ";

/// One final test event ("ok", "failed", "ignored") as a result; nothing
/// for the other events (started, timeout warnings, suite summaries).
std::optional<JUnitResult> test_result(const nlohmann::json& event, const std::string& binary_id) {
  if (string_member(event, "type") != "test") {
    return std::nullopt;
  }
  const std::string kind = string_member(event, "event");
  JUnitResult result;
  result.classname = binary_id;
  result.name = string_member(event, "name");
  if (const auto time = event.find("exec_time"); time != event.end() && time->is_number()) {
    result.time_secs = time->get<double>();
  }
  if (kind == "ok") {
    result.outcome = JUnitResult::Outcome::Passed;
  } else if (kind == "failed") {
    result.outcome = JUnitResult::Outcome::Failed;
    const std::string note = string_member(event, "message");
    result.details = string_member(event, "stdout");
    if (!note.empty()) {
      result.details += (result.details.empty() || result.details.ends_with('\n') ? "" : "\n") + note;
    }
    result.message = panic_message(result.details, note.empty() ? "test failed" : first_line(note));
  } else if (kind == "ignored") {
    result.outcome = JUnitResult::Outcome::Skipped;
    const std::string reason = string_member(event, "message");
    result.message = reason.empty() ? "ignored" : "ignored: " + reason;
  } else {
    return std::nullopt;
  }
  if (result.name.empty()) {
    return std::nullopt;
  }
  return result;
}

} // namespace

std::string binary_marker(std::string_view binary_id) {
  return std::string(k_marker) + std::string(binary_id);
}

std::string only_marker(const std::vector<std::string>& names) {
  return std::string(k_only) + nlohmann::json(names).dump();
}

std::string panic_message(std::string_view output, std::string_view fallback) {
  constexpr std::string_view panicked = "panicked at ";
  std::size_t pos = output.find(panicked);
  if (pos == std::string_view::npos) {
    return std::string(fallback);
  }
  const std::size_t end = output.find('\n', pos);
  const std::string_view line = output.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  // Since Rust 1.73 the message follows on the next lines ("panicked at
  // src/lib.rs:6:5:"); before, it sat in the same line in quotes.
  if (line.ends_with(':') && end != std::string_view::npos) {
    const std::string message = first_line(output.substr(end + 1));
    if (!message.empty()) {
      return message;
    }
  }
  return first_line(line.substr(panicked.size()));
}

std::vector<JUnitSuite> parse_libtest_results(std::string_view data) {
  std::vector<JUnitSuite> suites;
  std::optional<std::set<std::string>> only; // of the last binary
  while (!data.empty()) {
    const std::size_t end = data.find('\n');
    std::string_view line = data.substr(0, end);
    data.remove_prefix(end == std::string_view::npos ? data.size() : end + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.starts_with(k_marker)) {
      suites.push_back({std::string(line.substr(k_marker.size())), {}});
      only.reset();
      continue;
    }
    if (line.starts_with(k_only) && !suites.empty()) {
      const nlohmann::json names = nlohmann::json::parse(line.substr(k_only.size()), nullptr, false);
      only.emplace();
      for (const auto& name : names.is_array() ? names : nlohmann::json::array()) {
        if (name.is_string()) {
          only->insert(name.get<std::string>());
        }
      }
      continue;
    }
    if (suites.empty() || !line.starts_with('{')) {
      continue;
    }
    const nlohmann::json event = nlohmann::json::parse(valid_utf8(line), nullptr, false);
    if (!event.is_object()) {
      continue;
    }
    if (auto result = test_result(event, suites.back().name); result && (!only || only->contains(result->name))) {
      suites.back().results.push_back(std::move(*result));
    }
  }
  return suites;
}

} // namespace offload::plugins
