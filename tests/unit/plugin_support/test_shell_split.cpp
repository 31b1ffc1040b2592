// SPDX-License-Identifier: MIT
#include "shell.hpp"
#include "shell_split.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using offload::plugin_support::shell_join;
using offload::plugin_support::shell_split;
using Words = std::vector<std::string>;

namespace {

std::string split_failure(const std::string& text) {
  try {
    shell_split(text);
  } catch (const offload::sdk::Failure& failure) {
    CHECK(failure.code() == OFFLOAD_EINVAL);
    return failure.what();
  }
  return "split";
}

} // namespace

TEST_SUITE_BEGIN("pytest_plugin");

TEST_CASE("shell_split separates words on blanks") {
  CHECK(shell_split("") == Words{});
  CHECK(shell_split("  \t\n ") == Words{});
  CHECK(shell_split("-m slow") == Words{"-m", "slow"});
  CHECK(shell_split("  -x\t-q\n--tb=short  ") == Words{"-x", "-q", "--tb=short"});
}

TEST_CASE("shell_split keeps quoted text as one word, quotes removed") {
  CHECK(shell_split("-m 'not slow'") == Words{"-m", "not slow"});
  CHECK(shell_split(R"(-k "a or b")") == Words{"-k", "a or b"});
  CHECK(shell_split(R"(-k 'it'"'"'s')") == Words{"-k", "it's"});
  CHECK(shell_split(R"(pre'mid dle'"post fix")") == Words{"premid dlepost fix"});
  CHECK(shell_split("'' \"\"") == Words{"", ""});
}

TEST_CASE("shell_split expands nothing") {
  CHECK(shell_split("$HOME '$(rm -rf x)' `id` *.py ~") == Words{"$HOME", "$(rm -rf x)", "`id`", "*.py", "~"});
  CHECK(shell_split(R"x("$(x)")x") == Words{"$(x)"});
}

TEST_CASE("shell_split follows POSIX backslash rules") {
  CHECK(shell_split(R"(a\ b)") == Words{"a b"});
  CHECK(shell_split(R"(\'x\')") == Words{"'x'"});
  CHECK(shell_split("a\\\nb") == Words{"ab"});
  // In double quotes only $ ` " \ and newline are escaped.
  CHECK(shell_split(R"("a\"b\\c\$d\n")") == Words{R"(a"b\c$d\n)"});
  // In single quotes a backslash is an ordinary character.
  CHECK(shell_split(R"('a\b')") == Words{R"(a\b)"});
}

TEST_CASE("shell_split reads back what shell_join wrote") {
  const Words words = {"two words", "it's", "\"double\"", "$(x)", "tab\there", "", "ünï", "x[1]", "a::b"};
  CHECK(shell_split(shell_join(words)) == words);
}

TEST_CASE("shell_split rejects unterminated quotes and a trailing backslash") {
  CHECK(split_failure("-m 'not slow") ==
        "unterminated single quote in '-m 'not slow'; expected shell words such as -m 'not slow'");
  CHECK(split_failure(R"(-k "a or b)").starts_with("unterminated double quote in "));
  CHECK(split_failure("-k x\\").starts_with("trailing backslash in "));
}

TEST_SUITE_END();
