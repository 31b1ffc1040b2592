// SPDX-License-Identifier: MIT
#pragma once

#include "junit_xml.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// The separator of a vitest test ID's parts and of its full name:
/// "<file> > <describe>... > <test>".
inline constexpr std::string_view k_vitest_separator = " > ";

/// The line a batch writes first to its result file: the IDs it asked for.
/// vitest's JUnit lists every test of each file it ran, the ones that
/// --testNamePattern left out as skipped; only the asked ones are results.
std::string wanted_marker(const std::vector<std::string>& ids);

/// Every testcase of vitest's JUnit XML, by suite (an empty text has none).
/// Throws sdk::Failure(OFFLOAD_EIO) when there is text but it is not XML.
std::vector<JUnitSuite> read_vitest_junit(std::string_view xml);

/// A batch's result file (wanted_marker, then vitest's JUnit XML) as the
/// JUnit of the asked tests only: classname the file, name the full name.
/// A test missing from the XML (vitest died) is left out, so the host runs
/// it again. Throws sdk::Failure(OFFLOAD_EIO) when there is XML but it
/// cannot be read.
std::string convert_vitest_report(std::string_view data);

/// `name` (a full name, parts joined by " > ") as the anchored-regex
/// alternative that matches it in --testNamePattern, which vitest matches
/// against the parts joined by single spaces.
std::string name_pattern(std::string_view name);

} // namespace offload::plugins
