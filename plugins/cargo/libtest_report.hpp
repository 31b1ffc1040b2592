// SPDX-License-Identifier: MIT
#pragma once

#include "junit_xml.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// The line a batch script writes to its result file before a test
/// binary's output, so the results can be told apart by binary.
std::string binary_marker(std::string_view binary_id);

/// The result-file line, after a binary_marker, saying that only `names`
/// of that binary were asked for (the rest ran because rustdoc cannot
/// select doctests exactly); their results are dropped.
std::string only_marker(const std::vector<std::string>& names);

/// The results in a batch's result file: for each binary_marker line, the
/// libtest JSON events (`--format json`) that follow it, one per line, as a
/// suite named after the binary whose cases have that binary ID as their
/// classname. Lines that are not JSON events (output a test printed outside
/// libtest's capture) are skipped; a test with no final event (its binary
/// died) is left out, so the host looks at it again.
std::vector<JUnitSuite> parse_libtest_results(std::string_view data);

/// The one-line reason of a failure from its captured output: the panic
/// message after "panicked at ...:", else `fallback`.
std::string panic_message(std::string_view output, std::string_view fallback);

} // namespace offload::plugins
