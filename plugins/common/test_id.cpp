// SPDX-License-Identifier: MIT
#include "test_id.hpp"

#include <offload/plugin.hpp>

#include <cstdint>

namespace offload::plugin_support {
namespace {

/// Length of the well-formed UTF-8 sequence at the start of `text`, or 0.
std::size_t sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) {
    return 1;
  }
  std::size_t length = 0;
  uint32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() < length) {
    return 0;
  }
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) {
      return 0;
    }
    code = (code << 6) | (byte(i) & 0x3F);
  }
  constexpr uint32_t k_smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  return code < k_smallest[length] || surrogate || code > 0x10FFFF ? 0 : length;
}

} // namespace

bool is_utf8(std::string_view text) {
  while (!text.empty()) {
    const std::size_t n = sequence_length(text);
    if (n == 0) {
      return false;
    }
    text.remove_prefix(n);
  }
  return true;
}

std::string escaped(std::string_view text) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  while (!text.empty()) {
    const std::size_t n = sequence_length(text);
    const auto c = static_cast<unsigned char>(text.front());
    if (n == 0 || c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xF];
      text.remove_prefix(1);
      continue;
    }
    if (c == '\\') {
      out += "\\\\";
    } else {
      out += text.substr(0, n);
    }
    text.remove_prefix(n);
  }
  return out;
}

void check_test_id(std::string_view id) {
  if (!is_utf8(id)) {
    throw sdk::Failure(OFFLOAD_EINVAL, "test ID '" + escaped(id) +
                                           "' is not valid UTF-8; offload carries test IDs as UTF-8 text, so "
                                           "it cannot hand this one back to the runner byte for byte; rename "
                                           "the test or leave it out of discovery");
  }
}

} // namespace offload::plugin_support
