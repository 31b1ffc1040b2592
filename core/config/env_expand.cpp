// SPDX-License-Identifier: MIT
#include "config/config.hpp"

#include "util/utf8.hpp"

#include <algorithm>
#include <cstdlib>

namespace offload::config {
namespace {

// The start of an unclosed reference, cut so the message stays one short line.
std::string_view fragment(std::string_view text) {
  constexpr size_t max_length = 30;
  return text.substr(0, std::min(text.find_first_of("\r\n"), max_length));
}

} // namespace

Result<std::string> expand_env(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c != '$' || (next != '$' && next != '{')) {
      out += c;
      continue;
    }
    if (next == '$') {
      out += '$';
      ++i;
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return make_error("unclosed '", fragment(text.substr(i)),
                        "'; expected ${NAME} or ${NAME:-default}");
    }
    const std::string_view body = text.substr(i + 2, close - i - 2);
    const size_t split = body.find(":-");
    const std::string name(body.substr(0, split));
    if (name.empty()) {
      return make_error("empty variable name in '${", body, "}'; expected ${NAME} or ${NAME:-default}");
    }
    if (const char* value = std::getenv(name.c_str())) {
      out += value;
    } else if (split != std::string_view::npos) {
      out += body.substr(split + 2);
    } else {
      return make_error("undefined environment variable '", name, "'");
    }
    i = close;
  }
  // Everything here goes on as JSON text, which must be UTF-8.
  if (!util::valid_utf8(out)) {
    return make_error("'", util::escape_invalid_utf8(out), "' is not valid UTF-8",
                      text.find("${") != std::string_view::npos ? " (after expanding its ${...})" : "",
                      "; expected UTF-8 text");
  }
  return out;
}

} // namespace offload::config
