// SPDX-License-Identifier: MIT
#include "gtest_list.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using offload::plugins::is_filterable;
using offload::plugins::parse_gtest_list;

namespace {

// `--gtest_list_tests` of a gtest 1.12 program with every kind of test.
const std::vector<std::string> k_listing = {
    "Running main() from ./googletest/src/gtest_main.cc",
    "Plain.",
    "  Passes",
    "  DISABLED_Off",
    "Fix.",
    "  Uses",
    "Typed/0.  # TypeParam = int",
    "  Default",
    "Typed/1.  # TypeParam = std::basic_string<char, std::char_traits<char>, std::allocator<char> >",
    "  Default",
    "My/TP/0.  # TypeParam = int",
    "  Works",
    "Evens/Par.",
    "  Even/0  # GetParam() = 2",
    "  Even/1  # GetParam() = \"a b\"",
    "DISABLED_Suite.",
    "  Any",
    "Inst/DISABLED_P.",
    "  Case/0  # GetParam() = 1",
    "Done.\r",
    "  Tail\r",
};

} // namespace

TEST_SUITE_BEGIN("gtest_plugin");

TEST_CASE("gtest_plugin::parse_gtest_list reads suites, typed and parametrized tests") {
  CHECK(parse_gtest_list(k_listing, false) ==
        std::vector<std::string>{"Plain.Passes", "Fix.Uses", "Typed/0.Default", "Typed/1.Default", "My/TP/0.Works",
                                 "Evens/Par.Even/0", "Evens/Par.Even/1", "Done.Tail"});
}

TEST_CASE("gtest_plugin::parse_gtest_list keeps disabled tests only when asked") {
  const auto all = parse_gtest_list(k_listing, true);
  CHECK(all.size() == 11);
  CHECK(all[1] == "Plain.DISABLED_Off");
  CHECK(all[8] == "DISABLED_Suite.Any");
  CHECK(all[9] == "Inst/DISABLED_P.Case/0");
}

TEST_CASE("gtest_plugin::parse_gtest_list ignores tests outside a suite and chatter") {
  CHECK(parse_gtest_list({"  Orphan", "Hello, world.", "  Greeting", "A.", "", "  B"}, false) ==
        std::vector<std::string>{"A.B"});
}

TEST_CASE("gtest_plugin::is_filterable refuses what --gtest_filter would split") {
  CHECK(is_filterable("Evens/Par.Even/1"));
  CHECK_FALSE(is_filterable("A.b:c"));
  CHECK_FALSE(is_filterable("A.b-c"));
  CHECK_FALSE(is_filterable("A.b c"));
}

TEST_SUITE_END();
