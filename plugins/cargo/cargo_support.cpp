// SPDX-License-Identifier: MIT
#include "cargo_support.hpp"

#include "json_config.hpp"
#include "junit_xml.hpp"
#include "shell_split.hpp"

#include <map>

namespace offload::plugins {

std::string join(const std::vector<std::string>& words, std::string_view separator) {
  std::string text;
  for (const std::string& word : words) {
    text += (text.empty() ? "" : std::string(separator)) + word;
  }
  return text;
}

/// The line of a failed cargo's stderr that says why: its first "error"
/// line, else its last non-empty line.
std::string cargo_reason(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    if (line.starts_with("error")) {
      return line;
    }
  }
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (const std::string line = first_line(*it); !line.empty()) {
      return line;
    }
  }
  return "no output";
}

/// `text` split into shell words; a quoting mistake is reported as `what`'s
/// (and blamed on config `key`, if any).
std::vector<std::string> shell_words(std::string_view text, const std::string& what, const std::string& key) {
  try {
    return plugin_support::shell_split(text);
  } catch (const sdk::Failure& failure) {
    throw sdk::Failure(failure.code(), what + ": " + failure.what(), key);
  }
}

/// Runs a process through the host and returns its exit status. Failures to
/// run it get a message of our own (not the host's), so it can be repeated
/// to every group that waits for the same build.
int32_t run(const offload_host_v1* host, const nlohmann::json& spec, sdk::Collector& output,
            const offload_cancel* cancel, const std::string& what) {
  const std::string text = plugin_support::json_text(spec);
  int32_t status = -1;
  const int32_t rc = host->process_run(host, text.data(), text.size(), output.sink(), cancel, &status, nullptr);
  switch (rc) {
  case OFFLOAD_OK: return status;
  case OFFLOAD_ENOENT:
    throw sdk::Failure(rc, what + ": '" + spec["argv"][0].get<std::string>() + "' cannot be executed (not found?)");
  case OFFLOAD_ECANCELED: throw sdk::Failure(rc, what + " was cancelled");
  case OFFLOAD_ETIMEDOUT: throw sdk::Failure(rc, what + " timed out");
  default: throw sdk::Failure(rc, what + " could not run (error " + std::to_string(rc) + ")");
  }
}

/// The IDs of a batch, grouped by binary ID in order of first appearance.
std::vector<std::pair<std::string, std::vector<std::string>>> by_binary(const std::vector<std::string>& ids) {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  std::map<std::string, std::size_t, std::less<>> index;
  for (const std::string& id : ids) {
    const std::size_t space = id.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == id.size()) {
      throw sdk::Failure(OFFLOAD_EINVAL, "test ID '" + id + "' is not '<binary ID> <test name>'");
    }
    const std::string binary = id.substr(0, space);
    auto [it, added] = index.emplace(binary, groups.size());
    if (added) {
      groups.emplace_back(binary, std::vector<std::string>{});
    }
    groups[it->second].second.push_back(id.substr(space + 1));
  }
  return groups;
}

} // namespace offload::plugins
