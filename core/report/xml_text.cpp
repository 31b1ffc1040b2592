// SPDX-License-Identifier: MIT
#include "report/xml_text.hpp"

#include <cstdint>

namespace offload::report {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";

bool xml_allowed(std::uint32_t cp) {
  if (cp < 0x20) {
    return cp == 0x9 || cp == 0xA || cp == 0xD;
  }
  return cp != 0xFFFE && cp != 0xFFFF;
}

bool continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

/// Length of the well-formed UTF-8 sequence at the start of `s` and its code
/// point, or 0 when the bytes there are not one (overlong forms, surrogates
/// and values above U+10FFFF included).
std::size_t decode(std::string_view s, std::uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  std::size_t len = 0;
  std::uint32_t min = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() < len) {
    return 0;
  }
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (!continuation(b)) {
      return 0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

} // namespace

std::string xml_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    std::uint32_t cp = 0;
    const std::size_t len = decode(text, cp);
    if (len == 0) {
      out += replacement;
      text.remove_prefix(1);
      continue;
    }
    if (xml_allowed(cp)) {
      out.append(text.substr(0, len));
    } else {
      out += replacement;
    }
    text.remove_prefix(len);
  }
  return out;
}

std::string keep_tail(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) {
    return std::string(text);
  }
  std::size_t start = text.size() - limit;
  while (start < text.size() && continuation(static_cast<unsigned char>(text[start]))) {
    ++start;
  }
  std::string out = "[... " + std::to_string(start) + " bytes truncated ...]\n";
  out.append(text.substr(start));
  return out;
}

} // namespace offload::report
