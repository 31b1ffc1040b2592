// SPDX-License-Identifier: MIT
#include "collect_output.hpp"

#include <set>
#include <string_view>

namespace offload::plugins {
namespace {

constexpr std::string_view k_no_pytest = "No module named pytest";
/// The same, from an `import pytest` (a forked discovery's fallback) rather than `-m pytest`.
constexpr std::string_view k_no_pytest_import = "No module named 'pytest'";
constexpr std::string_view k_error_header = "ERROR collecting ";
constexpr std::size_t k_max_detail = 300;

std::string_view trim(std::string_view text) {
  constexpr std::string_view space = " \t\r\n\f\v";
  const std::size_t begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos) {
    return {};
  }
  return text.substr(begin, text.find_last_not_of(space) - begin + 1);
}

std::string_view without_cr(std::string_view line) {
  return line.ends_with('\r') ? line.substr(0, line.size() - 1) : line;
}

/// A "=== ERRORS ===" style banner, or the "!!! Interrupted !!!" line.
bool is_banner(std::string_view line) {
  return line.starts_with("=") || line.starts_with("!!!");
}

/// "____ ERROR collecting tests/x.py ____" gives "tests/x.py".
std::string_view collecting_error_file(std::string_view line) {
  if (!line.starts_with("_")) {
    return {};
  }
  const std::size_t at = line.find(k_error_header);
  if (at == std::string_view::npos) {
    return {};
  }
  std::string_view rest = line.substr(at + k_error_header.size());
  const std::size_t end = rest.find_last_not_of('_');
  return trim(end == std::string_view::npos ? std::string_view{} : rest.substr(0, end + 1));
}

std::string shortened(std::string_view text) {
  if (text.size() <= k_max_detail) {
    return std::string(text);
  }
  return std::string(text.substr(0, k_max_detail)) + "...";
}

/// The last line that says "error:" (pytest's usage errors end with the
/// rootdir, which says nothing), else the last line with anything on it.
std::string last_words(const CollectOutput& output) {
  for (const auto* lines : {&output.err, &output.out}) {
    for (auto it = lines->rbegin(); it != lines->rend(); ++it) {
      if (it->find("error:") != std::string::npos || it->find("ERROR:") != std::string::npos) {
        return shortened(trim(*it));
      }
    }
  }
  for (const auto* lines : {&output.err, &output.out}) {
    for (auto it = lines->rbegin(); it != lines->rend(); ++it) {
      if (const std::string_view line = trim(*it); !line.empty()) {
        return shortened(line);
      }
    }
  }
  return "no output";
}

bool mentions(const std::vector<std::string>& lines, std::string_view text) {
  for (const std::string& line : lines) {
    if (line.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

/// The files named by "ERROR collecting" headers, and the error of the first
/// one: its last "E   " line, which is where pytest puts the exception.
std::string collection_errors(const std::vector<std::string>& out) {
  std::string files;
  std::set<std::string> listed;
  std::string first_error;
  std::size_t sections = 0;
  for (const std::string& raw : out) {
    const std::string_view line = without_cr(raw);
    if (const std::string_view file = collecting_error_file(line); !file.empty()) {
      // With --doctest-modules a module that fails to import fails twice.
      if (listed.insert(std::string(file)).second) {
        files += (files.empty() ? "" : ", ") + std::string(file);
      }
      ++sections;
      continue;
    }
    if (is_banner(line)) {
      if (sections == 1) {
        sections = 2; // the first section has ended
      }
      continue;
    }
    if (sections == 1 && line.starts_with("E ")) {
      if (const std::string_view error = trim(line.substr(1)); !error.empty()) {
        first_error = std::string(error);
      }
    }
  }
  if (files.empty()) {
    return {};
  }
  return "pytest collection failed in " + files + (first_error.empty() ? "" : ": " + shortened(first_error));
}

} // namespace

std::vector<std::string> parse_collected_ids(const std::vector<std::string>& out) {
  std::vector<std::string> ids;
  for (const std::string& raw : out) {
    const std::string_view line = without_cr(raw);
    if (is_banner(line)) {
      break;
    }
    const std::string_view content = trim(line);
    if (content.empty()) {
      if (!ids.empty()) {
        break;
      }
      continue;
    }
    if (content.front() == '<' || line.find("::") == std::string_view::npos) {
      continue;
    }
    ids.emplace_back(line);
  }
  return ids;
}

bool printed_collection_tree(const std::vector<std::string>& out) {
  for (const std::string& line : out) {
    const std::string_view content = trim(line);
    if (content.starts_with("<") && content.ends_with(">")) {
      return true;
    }
  }
  return false;
}

bool lacks_pytest_module(const CollectOutput& output) {
  for (const std::string_view text : {k_no_pytest, k_no_pytest_import}) {
    if (mentions(output.err, text) || mentions(output.out, text)) {
      return true;
    }
  }
  return false;
}

std::string explain_collect_failure(const CollectOutput& output, const std::string& python) {
  if (lacks_pytest_module(output)) {
    return "'" + python + "' has no pytest module (" + std::string(k_no_pytest) +
           "); set [framework] python to an interpreter with pytest, e.g. /usr/bin/python3";
  }
  if (std::string errors = collection_errors(output.out); !errors.empty()) {
    return errors;
  }
  return "pytest --collect-only exited with status " + std::to_string(output.status) + ": " + last_words(output);
}

} // namespace offload::plugins
