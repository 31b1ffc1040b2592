// SPDX-License-Identifier: MIT
#include "config/config.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

using offload::config::expand_env;

namespace {

std::string expanded(std::string_view text) {
  auto result = expand_env(text);
  REQUIRE_MESSAGE(result.ok(), result.error().message);
  return result.value();
}

std::string expansion_error(std::string_view text) {
  auto result = expand_env(text);
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

} // namespace

TEST_SUITE_BEGIN("config");

TEST_CASE("config::expand_env substitutes set variables and defaults") {
  setenv("OFFLOAD_EXPAND_A", "alpha", 1);
  setenv("OFFLOAD_EXPAND_EMPTY", "", 1);
  unsetenv("OFFLOAD_EXPAND_UNSET");

  CHECK(expanded("${OFFLOAD_EXPAND_A}") == "alpha");
  CHECK(expanded("x-${OFFLOAD_EXPAND_A}-${OFFLOAD_EXPAND_A}-y") == "x-alpha-alpha-y");
  CHECK(expanded("${OFFLOAD_EXPAND_A:-other}") == "alpha");
  CHECK(expanded("${OFFLOAD_EXPAND_UNSET:-fallback}") == "fallback");
  CHECK(expanded("[${OFFLOAD_EXPAND_UNSET:-}]") == "[]");
  // Only the first ":-" splits; the rest belongs to the default.
  CHECK(expanded("${OFFLOAD_EXPAND_UNSET:-a:-b}") == "a:-b");
  // A set but empty variable is used as it is, as in the original offload.
  CHECK(expanded("[${OFFLOAD_EXPAND_EMPTY:-d}]") == "[]");

  unsetenv("OFFLOAD_EXPAND_A");
  unsetenv("OFFLOAD_EXPAND_EMPTY");
}

TEST_CASE("config::expand_env keeps dollars that are not references") {
  CHECK(expanded("") == "");
  CHECK(expanded("plain text") == "plain text");
  CHECK(expanded("$$") == "$");
  CHECK(expanded("cost $$5, $$${OFFLOAD_EXPAND_UNSET:-x}") == "cost $5, $x");
  CHECK(expanded("$HOME and $") == "$HOME and $");
  CHECK(expanded("a$b$") == "a$b$");
}

TEST_CASE("config::expand_env rejects unset variables and malformed references") {
  unsetenv("OFFLOAD_EXPAND_UNSET");
  CHECK(expansion_error("x ${OFFLOAD_EXPAND_UNSET} y") ==
        "undefined environment variable 'OFFLOAD_EXPAND_UNSET'");
  CHECK(expansion_error("${}") == "empty variable name in '${}'; expected ${NAME} or ${NAME:-default}");
  CHECK(expansion_error("${:-x}") == "empty variable name in '${:-x}'; expected ${NAME} or ${NAME:-default}");
  CHECK(expansion_error("abc ${HOME") == "unclosed '${HOME'; expected ${NAME} or ${NAME:-default}");
  CHECK(expansion_error("${A\nB") == "unclosed '${A'; expected ${NAME} or ${NAME:-default}");
}

TEST_SUITE_END();
