// SPDX-License-Identifier: MIT
#include "test_id.hpp"

#include <offload/plugin.hpp>

#include <doctest/doctest.h>

#include <string>

namespace ps = offload::plugin_support;

TEST_SUITE_BEGIN("plugin_support");

TEST_CASE("plugin_support::is_utf8 accepts UTF-8 and nothing else") {
  CHECK(ps::is_utf8("tests/test_\xc3\xa9.py::t[\xe2\x82\xac-\xf0\x9f\x98\x80]"));
  CHECK_FALSE(ps::is_utf8("u\xff"));
  CHECK_FALSE(ps::is_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(ps::is_utf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(ps::is_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(ps::is_utf8("\xe2\x82"));          // cut short
}

TEST_CASE("plugin_support::check_test_id names the ID with its bad bytes escaped") {
  CHECK_NOTHROW(ps::check_test_id("ok \xc3\xa9"));
  try {
    ps::check_test_id("u\xff\x1b");
    FAIL("no failure");
  } catch (const offload::sdk::Failure& failure) {
    CHECK(failure.code() == OFFLOAD_EINVAL);
    CHECK(std::string(failure.what()).rfind("test ID 'u\\xff\\x1b' is not valid UTF-8", 0) == 0);
  }
}

TEST_SUITE_END();
