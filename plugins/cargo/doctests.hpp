// SPDX-License-Identifier: MIT
#pragma once

#include "cargo_build.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace offload::plugins {

/// The binary kind of a package's documentation tests. They have no
/// executable: `cargo test --doc` compiles and runs them through rustdoc.
inline constexpr std::string_view k_doctest_kind = "doctest";

/// The pseudo test binary that holds the doctests of `library` (a library's
/// unit-test binary, whose binary ID is its package's name): binary ID
/// "<package>::doctest", so every doctest's ID says what it is.
TestBinary doctest_binary(const TestBinary& library);

/// How offload's JUnit names the test `test` of binary `binary_id`, like a
/// tree: a unit or integration test "a::b::c" is classname
/// "<binary ID>::a::b", name "c"; a doctest keeps its whole name under
/// classname "<package>::doctest".
struct CaseName {
  std::string classname;
  std::string name;
};
CaseName case_name(std::string_view binary_id, std::string_view test);

/// The package a doctest binary belongs to.
std::string doctest_package(const TestBinary& doctests);

/// The libtest arguments (after `cargo test --doc -p PKG --`) that run at
/// least `names` of one package's doctests. rustdoc splits each test
/// argument at whitespace and doctest names hold spaces ("src/lib.rs - add
/// (line 7)"), so --exact cannot work: each name is selected by its longest
/// word, and the extra doctests that also match are dropped from the
/// results (see only_marker in libtest_report.hpp).
std::vector<std::string> doctest_filter_args(const std::vector<std::string>& names);

} // namespace offload::plugins
