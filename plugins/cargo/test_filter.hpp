// SPDX-License-Identifier: MIT
#pragma once

#include "cargo_build.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// A group's `filters` for cargo, read like the arguments of `cargo test`:
///   NAME...       tests whose name contains any NAME (libtest's filters)
///   --exact       NAMEs and --skip patterns must match whole names
///   --skip NAME   leaves out tests whose name contains NAME (repeatable)
///   --lib         only the library's unit tests
///   --doc         only the library's documentation tests
///   --bin NAME    only the unit tests of binary target NAME (repeatable)
///   --test NAME   only integration test target NAME (repeatable)
/// Target selectors add up; without any, every test binary and the
/// doctests count, as with `cargo test`.
class TestFilter {
public:
  /// Parses shell words; throws sdk::Failure(OFFLOAD_EINVAL) for an option it
  /// does not know or one missing its value, naming `what` (the group).
  TestFilter(const std::vector<std::string>& words, std::string_view what);

  bool selects(const TestBinary& binary, std::string_view test) const;

private:
  bool matches(std::string_view test, const std::string& pattern) const;

  bool m_exact = false;
  bool m_lib = false;
  bool m_doc = false;
  std::vector<std::string> m_bins;
  std::vector<std::string> m_tests;
  std::vector<std::string> m_names;
  std::vector<std::string> m_skips;
};

} // namespace offload::plugins
