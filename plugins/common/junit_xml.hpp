// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// One test's result, as a framework plugin turns its runner's own report
/// into JUnit for the host.
struct JUnitResult {
  enum class Outcome { Passed, Failed, Skipped };
  std::string classname;
  std::string name;
  Outcome outcome = Outcome::Passed;
  std::optional<double> time_secs;
  std::string message; ///< one line: the failure's or skip's reason
  std::string details; ///< the failure's full text (captured output, assertion)
};

struct JUnitSuite {
  std::string name;
  std::vector<JUnitResult> results;
};

/// A <testsuites> document holding `suites`; every text is escaped and made
/// valid UTF-8 without XML-forbidden control characters.
std::string junit_document(const std::vector<JUnitSuite>& suites);

/// `text` with every invalid UTF-8 sequence replaced by U+FFFD, so that
/// runner output in any encoding can go into JSON parsers and XML.
std::string valid_utf8(std::string_view text);

/// The first non-blank line of `text`, trimmed.
std::string first_line(std::string_view text);

} // namespace offload::plugins
