// SPDX-License-Identifier: MIT
#include "util/terminal_text.hpp"

#include <doctest/doctest.h>

using offload::util::terminal_text;

TEST_SUITE_BEGIN("util");

TEST_CASE("terminal_text escapes C0 and C1 controls and keeps the rest") {
  CHECK(terminal_text("plain \xc3\xa9 id[a b]\tx") == "plain \xc3\xa9 id[a b]\tx");
  CHECK(terminal_text("evil\x1b]0;t\x07\x1b[2J\r\x7f") == "evil\\x1b]0;t\\x07\\x1b[2J\\x0d\\x7f");
  CHECK(terminal_text("csi\xc2\x9b" "2J") == "csi\\x9b2J");
  CHECK(terminal_text("a\nb") == "a\\x0ab");
  CHECK(terminal_text("a\nb", true) == "a\nb");
}

TEST_SUITE_END();
