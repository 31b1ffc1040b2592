// SPDX-License-Identifier: MIT
#include "fake_host.hpp"
#include "shell.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using offload::plugin_support::command_to_shell;
using offload::plugin_support::shell_join;
using offload::plugin_support::shell_quote;
using offload::plugin_support::testing::sh_output;

namespace {

const std::vector<std::string> k_nasty_words = {
    "two words",      "it's",          "\"double\"",        "$(echo pwned)", "`echo pwned`",
    "line\nbreak",    "tab\there",     "back\\slash",       "*",             "~",
    "#hash",          "a;b&c|d<e>f",   "h\xc3\xa9llo \xe2\x9c\x93", "-n",           "!bang",
    "'",              "''",            "'\\''",             "${HOME}",       " leading and trailing ",
};

int32_t failure_code(const nlohmann::json& command) {
  try {
    command_to_shell(command);
  } catch (const offload::sdk::Failure& failure) {
    return failure.code();
  }
  return 0;
}

} // namespace

TEST_SUITE_BEGIN("plugin_support");

TEST_CASE("plugin_support::shell_quote leaves plain words unchanged") {
  CHECK(shell_quote("abc") == "abc");
  CHECK(shell_quote("tests/test_x.py::a") == "tests/test_x.py::a");
  CHECK(shell_quote("A-Z_a.z/0:9=@%+,-") == "A-Z_a.z/0:9=@%+,-");
}

TEST_CASE("plugin_support::shell_quote wraps everything else in single quotes") {
  CHECK(shell_quote("") == "''");
  CHECK(shell_quote("two words") == "'two words'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("$(x)") == "'$(x)'");
  CHECK(shell_quote("`x`") == "'`x`'");
  CHECK(shell_quote("a\nb") == "'a\nb'");
  CHECK(shell_quote("h\xc3\xa9") == "'h\xc3\xa9'");
}

TEST_CASE("plugin_support::shell_quote round-trips through /bin/sh byte for byte") {
  for (const std::string& word : k_nasty_words) {
    CAPTURE(word);
    CHECK(sh_output("printf '%s\\n' " + shell_quote(word)) == word + "\n");
  }
  CHECK(sh_output("printf '[%s]' " + shell_quote("")) == "[]");
}

TEST_CASE("plugin_support::shell_join keeps every word separate") {
  std::string expected;
  for (const std::string& word : k_nasty_words) {
    expected += word + "\036";
  }
  CHECK(sh_output("printf '%s\\036' " + shell_join(k_nasty_words)) == expected);
  CHECK(shell_join({}).empty());
  CHECK(shell_join({"a", "b c"}) == "a 'b c'");
}

TEST_CASE("plugin_support::command_to_shell accepts argv and shell commands") {
  CHECK(command_to_shell({{"argv", {"printf", "%s\n", "a b"}}}) == "printf '%s\n' 'a b'");
  CHECK(command_to_shell({{"shell", "echo $HOME | wc -c"}}) == "echo $HOME | wc -c");
  CHECK(sh_output(command_to_shell({{"argv", {"printf", "%s|", "$(x)", "it's"}}})) == "$(x)|it's|");
}

TEST_CASE("plugin_support::command_to_shell rejects malformed commands with EINVAL") {
  CHECK(failure_code(nlohmann::json::object()) == OFFLOAD_EINVAL);
  CHECK(failure_code(nlohmann::json("echo")) == OFFLOAD_EINVAL);
  CHECK(failure_code({{"argv", nlohmann::json::array()}}) == OFFLOAD_EINVAL);
  CHECK(failure_code({{"argv", {"echo", 1}}}) == OFFLOAD_EINVAL);
  CHECK(failure_code({{"argv", "echo"}}) == OFFLOAD_EINVAL);
  CHECK(failure_code({{"shell", false}}) == OFFLOAD_EINVAL);
}

TEST_SUITE_END();
