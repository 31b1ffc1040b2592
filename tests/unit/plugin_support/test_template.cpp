// SPDX-License-Identifier: MIT
#include "template.hpp"

#include <doctest/doctest.h>

using offload::plugin_support::has_placeholder;
using offload::plugin_support::substitute;

TEST_SUITE_BEGIN("plugin_support");

TEST_CASE("plugin_support::substitute replaces known placeholders") {
  CHECK(substitute("run {tests} > {result_file}", {{"tests", "a b"}, {"result_file", "r.xml"}}) ==
        "run a b > r.xml");
  CHECK(substitute("{x}{x}", {{"x", "1"}}) == "11");
  CHECK(substitute("", {{"x", "1"}}).empty());
  CHECK(substitute("no placeholders", {}) == "no placeholders");
}

TEST_CASE("plugin_support::substitute never rescans substituted text") {
  CHECK(substitute("{tests} {result_file}", {{"tests", "{result_file}"}, {"result_file", "r"}}) ==
        "{result_file} r");
  CHECK(substitute("{tests}", {{"tests", "id_with_{tests}_inside"}}) == "id_with_{tests}_inside");
}

TEST_CASE("plugin_support::substitute leaves unknown and broken placeholders alone") {
  CHECK(substitute("{unknown} {tests}", {{"tests", "T"}}) == "{unknown} T");
  CHECK(substitute("{{tests}}", {{"tests", "T"}}) == "{T}");
  CHECK(substitute("( { echo; } ) {tests", {{"tests", "T"}}) == "( { echo; } ) {tests");
  CHECK(substitute("${HOME} {}", {{"tests", "T"}}) == "${HOME} {}");
}

TEST_CASE("plugin_support::has_placeholder finds exact placeholders only") {
  CHECK(has_placeholder("run {tests}", "tests"));
  CHECK_FALSE(has_placeholder("run {test}", "tests"));
  CHECK_FALSE(has_placeholder("run tests", "tests"));
  CHECK_FALSE(has_placeholder("run {tests", "tests"));
}

TEST_SUITE_END();
