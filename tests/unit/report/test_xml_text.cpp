// SPDX-License-Identifier: MIT
#include "report/xml_text.hpp"

#include <doctest/doctest.h>

#include <string>

using offload::report::keep_tail;
using offload::report::xml_safe;

namespace {
const std::string fffd = "\xEF\xBF\xBD";
}

TEST_SUITE_BEGIN("report");

TEST_CASE("report::xml_safe keeps valid text and replaces what XML 1.0 forbids") {
  CHECK(xml_safe("plain\ttext\r\nline") == "plain\ttext\r\nline");
  CHECK(xml_safe("\xC3\xA9\xE2\x98\xBA\xF0\x9F\x98\x80") == "\xC3\xA9\xE2\x98\xBA\xF0\x9F\x98\x80");
  CHECK(xml_safe("\x1b[1m") == fffd + "[1m");
  CHECK(xml_safe(std::string("a\0b", 3)) == "a" + fffd + "b");
  CHECK(xml_safe("\x01\x08\x0b\x0c\x1f") == fffd + fffd + fffd + fffd + fffd);
  CHECK(xml_safe("\xEF\xBF\xBE|\xEF\xBF\xBF") == fffd + "|" + fffd); // U+FFFE, U+FFFF
}

TEST_CASE("report::xml_safe replaces invalid UTF-8") {
  CHECK(xml_safe("a\xff" "b") == "a" + fffd + "b");
  CHECK(xml_safe("\xC0\xAF") == fffd + fffd);                 // overlong '/'
  CHECK(xml_safe("\xED\xA0\x80") == fffd + fffd + fffd);      // UTF-16 surrogate
  CHECK(xml_safe("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd); // above U+10FFFF
  CHECK(xml_safe("end\xE2\x98") == "end" + fffd + fffd);      // cut short
}

TEST_CASE("report::keep_tail keeps the end of long text and says how much went") {
  CHECK(keep_tail("short", 10) == "short");
  CHECK(keep_tail("0123456789", 10) == "0123456789");
  CHECK(keep_tail("0123456789abc", 10) == "[... 3 bytes truncated ...]\n3456789abc");
  // The cut moves forward to a character boundary instead of splitting é.
  CHECK(keep_tail("ab\xC3\xA9xyz", 4) == "[... 4 bytes truncated ...]\nxyz");
}

TEST_SUITE_END();
