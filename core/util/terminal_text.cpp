// SPDX-License-Identifier: MIT
#include "util/terminal_text.hpp"

#include <cstdio>

namespace offload::util {

std::string terminal_text(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // U+0080..U+009F are C1 controls: 0xC2 0x80..0x9F in UTF-8.
    const bool c1 = c == 0xC2 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xE0) == 0x80;
    if ((c < 0x20 && c != '\t' && !(keep_newlines && c == '\n')) || c == 0x7F || c1) {
      const unsigned char shown = c1 ? static_cast<unsigned char>(text[++i]) : c;
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", shown);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

} // namespace offload::util
